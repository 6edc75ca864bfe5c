#pragma once
#include <string>
#include <vector>

namespace rbee::chat::jinja {

struct Token {
  enum class Type { text, print_begin, print_end, block_begin, block_end, name, string, integer, real, op, end };
  Type type;
  std::string value;  // text, name, the decoded string literal, the number or the operator
  int line;
};

// Splits a template into tokens as jinja2's lexer does with trim_blocks and lstrip_blocks:
// comments are dropped, whitespace control (`{%-`, `-%}`, `{%+`) is applied to the text tokens,
// one trailing newline of the source is dropped. Throws Error (with the line) on bad input.
std::vector<Token> tokenize(const std::string& source, const std::string& template_name);

}  // namespace rbee::chat::jinja
