#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "tokenizer/regex_splitter.hpp"
#include "tokenizer/token_index.hpp"
#include "tokenizer/vocab.hpp"

namespace rbee {

// GPT-2 style BPE: regex pre-tokens, each byte-mapped to printable code points, merged by the
// lowest merge rank first (ties: leftmost), as llama.cpp's llm_tokenizer_bpe and HF's BPE do.
class ByteLevelBpe {
 public:
  ByteLevelBpe(const Vocab& vocab, const TokenIndex& index);

  void encode(std::string_view text, std::vector<int32_t>& out) const;

 private:
  void encode_word(const std::string& mapped, std::vector<int32_t>& out) const;
  int rank(std::string_view left, std::string_view right) const;

  const TokenIndex& index_;
  bool ignore_merges_;
  RegexSplitter splitter_;
  std::unordered_map<std::string, int> ranks_;  // key "left right"
};

}  // namespace rbee
