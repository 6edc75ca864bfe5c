// One .safetensors file: the header's JSON, dtypes, shapes and data ranges.
#include "formats/safetensors.hpp"
#include "fuzz_input.hpp"
#include "util/format_error.hpp"
#include "util/mapped_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto path = rbee::fuzz::write_file("model.safetensors", data, size);
  try {
    const auto file = rbee::MappedFile::open(path);
    for (const auto& t : rbee::parse_safetensors(file)) (void)t.elements();
  } catch (const rbee::FormatError&) {
  }
  return 0;
}
