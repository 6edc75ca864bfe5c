// tokenizer.model (SentencePiece's protobuf); then one encode and decode with what loaded.
#include "fuzz_input.hpp"
#include "tokenizer/tokenizer.hpp"
#include <stdexcept>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto path = rbee::fuzz::write_file("tokenizer.model", data, size);
  try {
    const auto tokenizer = rbee::Tokenizer::from_path(path);
    tokenizer->decode(tokenizer->encode("Hello, world! <s> 12 ", true, true), false);
  } catch (const std::runtime_error&) {  // FormatError, and the tokenizer's errors naming the file
  }
  return 0;
}
