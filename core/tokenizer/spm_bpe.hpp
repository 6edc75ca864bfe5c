#pragma once
#include <cstdint>
#include <string_view>
#include <vector>

#include "tokenizer/token_index.hpp"
#include "tokenizer/vocab.hpp"

namespace rbee {

// SentencePiece BPE on already-escaped text (llama.cpp's llm_tokenizer_spm): start from UTF-8
// characters, repeatedly merge the adjacent pair whose concatenation is the highest-scoring
// token (ties: leftmost), then emit each symbol, splitting unknown ones back along their merge
// history down to <0xXX> byte tokens.
void spm_bpe_encode(std::string_view text, const Vocab& vocab, const TokenIndex& index,
                    std::vector<int32_t>& out);

}  // namespace rbee
