#include "chat/output/text_scan.hpp"

#include <algorithm>

namespace rbee::chat {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string_view trim_left(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  return text;
}

std::string_view trim_right(std::string_view text) {
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

std::string_view trim(std::string_view text) { return trim_right(trim_left(text)); }

std::size_t partial_marker_length(std::string_view text, std::span<const std::string_view> markers) {
  std::size_t longest = 0;
  for (std::string_view marker : markers) {
    for (std::size_t n = std::min(text.size(), marker.size() - 1); n > longest; --n) {
      if (marker.starts_with(text.substr(text.size() - n))) {
        longest = n;
        break;
      }
    }
  }
  return longest;
}

std::size_t complete_utf8_length(std::string_view text) {
  // Step back over at most three continuation bytes to the lead byte of the last sequence.
  std::size_t lead = text.size();
  while (lead > 0 && text.size() - lead < 4 && (static_cast<unsigned char>(text[lead - 1]) & 0xC0) == 0x80) --lead;
  if (lead == 0) return text.size();
  const auto byte = static_cast<unsigned char>(text[lead - 1]);
  const std::size_t needed = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1;
  return text.size() - (lead - 1) < needed ? lead - 1 : text.size();
}

}  // namespace rbee::chat
