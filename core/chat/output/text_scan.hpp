#pragma once
#include <cstddef>
#include <span>
#include <string_view>

// Small string searches shared by the output parsers.
namespace rbee::chat {

// The whitespace that is trimmed around think blocks and tool calls (as Python's str.strip does for ASCII).
bool is_space(char c);
std::string_view trim_left(std::string_view text);
std::string_view trim_right(std::string_view text);
std::string_view trim(std::string_view text);

// Length of the longest end of `text` that a marker starts with but that is not a whole marker:
// the bytes to hold back until the next piece says whether a marker begins there.
std::size_t partial_marker_length(std::string_view text, std::span<const std::string_view> markers);

// Length of `text` less an incomplete UTF-8 sequence at its end.
std::size_t complete_utf8_length(std::string_view text);

}  // namespace rbee::chat
