#include "chat/output/json_extent.hpp"

#include <string>

#include "chat/output/text_scan.hpp"

namespace rbee::chat {

SectionExtent json_extent(std::string_view text) {
  const std::size_t start = text.size() - trim_left(text).size();
  if (start == text.size()) return {SectionExtent::Kind::incomplete};
  if (text[start] != '{' && text[start] != '[') return {SectionExtent::Kind::not_a_call};
  std::string open_brackets;
  bool in_string = false;
  bool escaped = false;
  for (std::size_t i = start; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      open_brackets += c;
    } else if (c == '}' || c == ']') {
      if (open_brackets.back() != (c == '}' ? '{' : '[')) return {SectionExtent::Kind::not_a_call};
      open_brackets.pop_back();
      if (open_brackets.empty()) return {SectionExtent::Kind::complete, i + 1};
    }
  }
  return {SectionExtent::Kind::incomplete};
}

}  // namespace rbee::chat
