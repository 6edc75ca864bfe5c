// Arbitrary bytes through real tokenizers (SentencePiece BPE, byte-level BPE, a SentencePiece
// protobuf): encode with and without special tokens, decode what came out, and decode arbitrary
// ids, in range or not.
#include <array>
#include <cstring>
#include <memory>
#include <vector>

#include "fuzz_input.hpp"
#include "tokenizer/tokenizer.hpp"
#include <stdexcept>

namespace {

const std::array<std::unique_ptr<rbee::Tokenizer>, 3>& tokenizers() {
  static const std::array<std::unique_ptr<rbee::Tokenizer>, 3> all = {
      rbee::Tokenizer::from_path(RBEE_TEST_FIXTURES "/tiny/llama/tokenizer.json"),
      rbee::Tokenizer::from_path(RBEE_TEST_FIXTURES "/tiny/qwen2/model-q8_0.gguf"),
      rbee::Tokenizer::from_path(RBEE_FUZZ_CORPUS "/tokenizer_model/tok512.model"),
  };
  return all;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const auto& tokenizer = *tokenizers()[data[0] % 3];
  const bool special = data[0] & 4;
  const auto text = rbee::fuzz::as_text(data + 1, size - 1);
  tokenizer.decode(tokenizer.encode(text, special, special), special);
  std::vector<int32_t> ids((size - 1) / 4);
  if (!ids.empty()) std::memcpy(ids.data(), data + 1, ids.size() * 4);
  try {
    tokenizer.decode(ids, special);
  } catch (const std::out_of_range&) {  // an id outside the vocabulary
  }
  return 0;
}
