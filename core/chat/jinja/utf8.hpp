#pragma once
#include <string>
#include <vector>

// Strings are UTF-8 bytes; Python counts, slices and iterates code points.
namespace rbee::chat::jinja::utf8 {

std::vector<std::string> characters(const std::string& s);
size_t length(const std::string& s);
std::string encode(char32_t code_point);

}  // namespace rbee::chat::jinja::utf8
