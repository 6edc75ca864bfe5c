// A GGUF file: the reader, then what rbee reads from it before any weight (the tokenizer).
#include "formats/gguf.hpp"
#include "fuzz_input.hpp"
#include "tokenizer/tokenizer.hpp"
#include <stdexcept>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto path = rbee::fuzz::write_file("model.gguf", data, size);
  try {
    rbee::GgufSource source(path);
    for (const auto& t : source.tensors()) (void)t.elements();
    const auto tokenizer = rbee::Tokenizer::from_gguf(source);
    tokenizer->decode(tokenizer->encode("Hello, world! <s> 12 ", true, true), false);
  } catch (const std::runtime_error&) {  // FormatError, and the tokenizer's errors naming the file
  }
  return 0;
}
