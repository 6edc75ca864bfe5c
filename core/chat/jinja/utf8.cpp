#include "chat/jinja/utf8.hpp"

#include <algorithm>

#include "util/utf8.hpp"

namespace rbee::chat::jinja::utf8 {

using rbee::utf8::sequence_length;  // a stray byte counts as one character

std::vector<std::string> characters(const std::string& s) {
  std::vector<std::string> out;
  for (size_t i = 0; i < s.size();) {
    size_t n = std::min(sequence_length(static_cast<unsigned char>(s[i])), s.size() - i);
    out.push_back(s.substr(i, n));
    i += n;
  }
  return out;
}

size_t length(const std::string& s) {
  size_t n = 0;
  for (size_t i = 0; i < s.size(); i += sequence_length(static_cast<unsigned char>(s[i]))) ++n;
  return n;
}

std::string encode(char32_t c) {
  std::string out;
  rbee::utf8::append(out, static_cast<uint32_t>(c));
  return out;
}

}  // namespace rbee::chat::jinja::utf8
