#pragma once
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <unordered_map>

#include "tokenizer/vocab.hpp"

namespace rbee {

// Token text -> id, plus the byte-fallback lookup both BPE flavours need.
class TokenIndex {
 public:
  explicit TokenIndex(const Vocab& vocab) {
    ids_.reserve(vocab.tokens.size());
    for (size_t i = 0; i < vocab.tokens.size(); ++i) ids_.emplace(vocab.tokens[i], int32_t(i));
    unk_ = vocab.unk;
  }

  // Id of a token with exactly this text, or -1.
  int32_t find(const std::string& text) const {
    const auto it = ids_.find(text);
    return it == ids_.end() ? -1 : it->second;
  }

  // "<0xXX>" if the vocabulary has it, else the one-byte token, else unk (may be -1).
  int32_t byte_token(uint8_t byte) const {
    char hex[8];
    std::snprintf(hex, sizeof(hex), "<0x%02X>", byte);
    if (int32_t id = find(hex); id >= 0) return id;
    if (int32_t id = find(std::string(1, char(byte))); id >= 0) return id;
    return unk_;
  }

 private:
  std::unordered_map<std::string, int32_t> ids_;
  int32_t unk_ = -1;
};

}  // namespace rbee
