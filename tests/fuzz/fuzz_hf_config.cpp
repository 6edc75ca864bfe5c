// config.json as rbee reads it, RoPE scaling normalised.
#include "formats/hf_config.hpp"
#include "fuzz_input.hpp"
#include "util/format_error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto path = rbee::fuzz::write_file("config.json", data, size);
  try {
    auto config = rbee::load_hf_config(path);
    rbee::normalize_rope(config);
  } catch (const rbee::FormatError&) {
  }
  return 0;
}
