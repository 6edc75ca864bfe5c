#include "synth/vocab.hpp"

#include <cstdio>
#include <stdexcept>

namespace rbee::synth {

namespace {

const std::string kSpace = "\xE2\x96\x81";  // U+2581, SentencePiece's word boundary

}  // namespace

SpmVocab make_spm_vocab(uint32_t n) {
  if (n < 259 + 27) throw std::invalid_argument("vocabulary of " + std::to_string(n) + " tokens is too small (286 at least)");
  SpmVocab v;
  v.tokens.reserve(n);
  v.scores.reserve(n);
  v.types.reserve(n);
  auto add = [&](std::string piece, int32_t type) {
    const float score = type == kTokenNormal ? -static_cast<float>(v.tokens.size()) : 0.0f;
    v.tokens.push_back(std::move(piece));
    v.scores.push_back(score);
    v.types.push_back(type);
  };
  add("<unk>", kTokenUnknown);
  add("<s>", kTokenControl);
  add("</s>", kTokenControl);
  for (int b = 0; b < 256; ++b) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "<0x%02X>", b);
    add(buf, kTokenByte);
  }
  add(kSpace, kTokenNormal);
  // Words of length 1, 2, ... in order; each as a word start ("▁ab") and a continuation ("ab").
  std::string word;
  for (size_t len = 1; v.tokens.size() < n; ++len) {
    std::vector<int> digits(len, 0);
    while (v.tokens.size() < n) {
      word.assign(len, 'a');
      for (size_t i = 0; i < len; ++i) word[i] = static_cast<char>('a' + digits[i]);
      add(kSpace + word, kTokenNormal);
      if (v.tokens.size() < n) add(word, kTokenNormal);
      // Next combination (last letter fastest); done with this length when it wraps.
      size_t i = len;
      while (i > 0 && ++digits[i - 1] == 26) digits[--i] = 0;
      if (i == 0) break;
    }
  }
  return v;
}

}  // namespace rbee::synth
