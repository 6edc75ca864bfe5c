#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace rbee::utf8 {

// Length of the UTF-8 sequence that starts with this byte (1 for stray continuation bytes).
inline size_t sequence_length(uint8_t lead) {
  if (lead < 0xC0) return 1;
  if (lead < 0xE0) return 2;
  if (lead < 0xF0) return 3;
  return lead < 0xF8 ? 4 : 1;
}

inline void append(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += char(cp);
  } else if (cp < 0x800) {
    out += char(0xC0 | (cp >> 6));
    out += char(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += char(0xE0 | (cp >> 12));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  } else {
    out += char(0xF0 | (cp >> 18));
    out += char(0x80 | ((cp >> 12) & 0x3F));
    out += char(0x80 | ((cp >> 6) & 0x3F));
    out += char(0x80 | (cp & 0x3F));
  }
}

// Decodes the sequence at s[pos]; returns its code point and sets `len`. Malformed input
// yields U+FFFD with len 1.
inline uint32_t decode(std::string_view s, size_t pos, size_t& len) {
  const uint8_t lead = uint8_t(s[pos]);
  len = sequence_length(lead);
  if (len == 1) {
    if (lead >= 0x80) return 0xFFFD;
    return lead;
  }
  if (pos + len > s.size()) {
    len = 1;
    return 0xFFFD;
  }
  uint32_t cp = lead & (0x7F >> len);
  for (size_t i = 1; i < len; ++i) {
    const uint8_t c = uint8_t(s[pos + i]);
    if ((c & 0xC0) != 0x80) {
      len = 1;
      return 0xFFFD;
    }
    cp = (cp << 6) | (c & 0x3F);
  }
  return cp;
}

}  // namespace rbee::utf8
