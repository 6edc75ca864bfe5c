#include "tokenizer/spm_normalizer.hpp"

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <utility>

#include "util/utf8.hpp"

namespace rbee {
namespace {

const std::string_view kEscapedSpace = "\xE2\x96\x81";

// SentencePiece's precompiled charsmap: a uint32 byte size, a Darts double-array trie of that
// size mapping input prefixes to offsets, then NUL-terminated replacement strings.
class Charsmap {
 public:
  explicit Charsmap(std::string_view blob) {
    if (blob.empty()) return;
    uint32_t trie_bytes = 0;
    if (blob.size() < 4) throw std::runtime_error("precompiled_charsmap: truncated");
    std::memcpy(&trie_bytes, blob.data(), 4);
    if (4 + size_t(trie_bytes) > blob.size())
      throw std::runtime_error("precompiled_charsmap: trie larger than blob");
    units_.resize(trie_bytes / 4);
    std::memcpy(units_.data(), blob.data() + 4, units_.size() * 4);
    replacements_ = blob.substr(4 + trie_bytes);
  }

  // (replacement, consumed bytes) for the longest prefix the trie knows, else the character.
  std::pair<std::string_view, size_t> normalize_prefix(std::string_view in) const {
    size_t best_len = 0;
    uint32_t best_value = 0;
    if (!units_.empty()) {
      size_t node = offset(units_[0]);
      for (size_t i = 0; i < in.size(); ++i) {
        const uint8_t c = uint8_t(in[i]);
        node ^= c;
        if (node >= units_.size()) break;
        const uint32_t unit = units_[node];
        if (label(unit) != c) break;
        node ^= offset(unit);
        if (node >= units_.size()) break;
        if (has_leaf(unit)) {
          best_len = i + 1;
          best_value = units_[node] & 0x7FFFFFFFu;
        }
      }
    }
    if (best_len > 0 && best_value < replacements_.size()) {
      const char* s = replacements_.data() + best_value;
      return {std::string_view(s, strnlen(s, replacements_.size() - best_value)), best_len};
    }
    size_t len = 0;
    if (utf8::decode(in, 0, len) == 0xFFFD && len == 1 && uint8_t(in[0]) >= 0x80)
      return {"\xEF\xBF\xBD", 1};  // malformed byte -> U+FFFD, as SentencePiece does
    return {in.substr(0, len), len};
  }

 private:
  static bool has_leaf(uint32_t u) { return (u >> 8) & 1; }
  static uint32_t label(uint32_t u) { return u & ((1u << 31) | 0xFF); }
  static size_t offset(uint32_t u) { return (u >> 10) << ((u & (1u << 9)) >> 6); }

  std::vector<uint32_t> units_;
  std::string_view replacements_;
};

}  // namespace

std::string spm_normalize(std::string_view text, const Vocab& vocab, bool add_prefix) {
  const Charsmap charsmap(vocab.precompiled_charsmap);
  const bool squeeze = vocab.remove_extra_whitespaces;

  if (squeeze) {  // drop leading whitespace
    while (!text.empty()) {
      const auto [piece, used] = charsmap.normalize_prefix(text);
      if (piece != " ") break;
      text.remove_prefix(used);
    }
    if (text.empty()) return {};
  }

  std::string out;
  if (add_prefix) out += kEscapedSpace;
  bool prev_space = squeeze;
  while (!text.empty()) {
    auto [piece, used] = charsmap.normalize_prefix(text);
    text.remove_prefix(used);
    if (prev_space)
      while (!piece.empty() && piece.front() == ' ') piece.remove_prefix(1);
    if (!piece.empty()) {
      for (char c : piece) {
        if (c == ' ')
          out += kEscapedSpace;
        else
          out += c;
      }
      prev_space = squeeze && piece.back() == ' ';
    }
  }
  if (squeeze)
    while (out.size() >= kEscapedSpace.size() && out.ends_with(kEscapedSpace))
      out.resize(out.size() - kEscapedSpace.size());
  return out;
}

}  // namespace rbee
