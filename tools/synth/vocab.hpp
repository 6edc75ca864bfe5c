#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace rbee::synth {

// A SentencePiece-style ("llama") vocabulary: <unk>=0, <s>=1, </s>=2, the 256 byte tokens
// <0x00>..<0xFF>, then distinct pieces: "▁" and the lowercase letters, then "▁"+word and word
// for every lowercase word of 1, 2, 3... letters, until n tokens. Scores fall with the index
// so that shorter pieces merge first; specials and bytes score 0.
struct SpmVocab {
  std::vector<std::string> tokens;
  std::vector<float> scores;
  std::vector<int32_t> types;  // llama.cpp token types: 1 normal, 2 unknown, 3 control, 6 byte
};

inline constexpr int32_t kTokenNormal = 1, kTokenUnknown = 2, kTokenControl = 3, kTokenByte = 6;

// n >= 259 + 27.
SpmVocab make_spm_vocab(uint32_t n);

}  // namespace rbee::synth
