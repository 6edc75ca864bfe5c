#include "tokenizer/byte_level.hpp"

#include <array>
#include <cstdint>
#include <unordered_map>

#include "util/utf8.hpp"

namespace rbee::byte_level {
namespace {

// Printable bytes keep their value; the other 68 get 256, 257, ... in byte order.
std::array<uint32_t, 256> make_byte_to_cp() {
  std::array<uint32_t, 256> table{};
  uint32_t next = 256;
  for (uint32_t b = 0; b < 256; ++b) {
    const bool printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174);
    table[b] = printable ? b : next++;
  }
  return table;
}

const std::array<uint32_t, 256>& byte_to_cp() {
  static const auto table = make_byte_to_cp();
  return table;
}

const std::unordered_map<uint32_t, char>& cp_to_byte() {
  static const auto map = [] {
    std::unordered_map<uint32_t, char> m;
    for (uint32_t b = 0; b < 256; ++b) m[byte_to_cp()[b]] = char(b);
    return m;
  }();
  return map;
}

}  // namespace

std::string encode(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) utf8::append(out, byte_to_cp()[uint8_t(c)]);
  return out;
}

std::optional<std::string> decode(std::string_view mapped) {
  std::string out;
  for (size_t pos = 0, len = 0; pos < mapped.size(); pos += len) {
    const auto it = cp_to_byte().find(utf8::decode(mapped, pos, len));
    if (it == cp_to_byte().end()) return std::nullopt;
    out += it->second;
  }
  return out;
}

}  // namespace rbee::byte_level
