#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace rbee::byte_level {

// GPT-2's reversible byte <-> printable code point mapping, applied to whole strings.
std::string encode(std::string_view bytes);
// Inverse of encode; nullopt if a code point is outside the mapping.
std::optional<std::string> decode(std::string_view mapped);

}  // namespace rbee::byte_level
