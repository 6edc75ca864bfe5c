#include "chat/output/python_call.hpp"

#include <cctype>
#include <string>

#include "chat/output/function_call_json.hpp"
#include "chat/output/text_scan.hpp"

namespace rbee::chat {
namespace {

constexpr std::string_view call_open = ".call(";

bool is_identifier_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::size_t identifier_length(std::string_view text) {
  std::size_t n = 0;
  while (n < text.size() && is_identifier_char(text[n])) ++n;
  return n;
}

// A Python string literal at the start of `text` (quote included); advances `text` past it.
std::optional<std::string> read_string(std::string_view& text) {
  const char quote = text.front();
  std::string value;
  for (std::size_t i = 1; i < text.size(); ++i) {
    char c = text[i];
    if (c == quote) {
      text.remove_prefix(i + 1);
      return value;
    }
    if (c == '\\' && i + 1 < text.size()) {
      c = text[++i];
      if (c == 'n') c = '\n';
      else if (c == 't') c = '\t';
      else if (c == 'r') c = '\r';
    }
    value += c;
  }
  return std::nullopt;
}

// A literal value at the start of `text`; advances `text` past it.
std::optional<OrderedJson> read_value(std::string_view& text) {
  if (text.empty()) return std::nullopt;
  if (text.front() == '"' || text.front() == '\'') {
    std::optional<std::string> s = read_string(text);
    if (!s) return std::nullopt;
    return OrderedJson(std::move(*s));
  }
  std::size_t n = 0;
  while (n < text.size() && (is_identifier_char(text[n]) || text[n] == '.' || text[n] == '-' || text[n] == '+')) ++n;
  const std::string_view word = text.substr(0, n);
  text.remove_prefix(n);
  if (word == "True") return OrderedJson(true);
  if (word == "False") return OrderedJson(false);
  if (word == "None") return OrderedJson(nullptr);
  std::optional<OrderedJson> number = parse_json(word);
  if (!number || !number->is_number()) return std::nullopt;
  return number;
}

}  // namespace

SectionExtent python_call_extent(std::string_view text) {
  const std::size_t name = identifier_length(text);
  const std::string_view after_name = text.substr(name);
  if (name == text.size() || (call_open.starts_with(after_name) && name > 0)) return {SectionExtent::Kind::incomplete};
  if (name == 0 || !after_name.starts_with(call_open)) return {SectionExtent::Kind::not_a_call};
  char quote = 0;
  bool escaped = false;
  int depth = 0;
  for (std::size_t i = name + call_open.size(); i < text.size(); ++i) {
    const char c = text[i];
    if (quote) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '(' || c == '[' || c == '{') {
      ++depth;
    } else if (c == ')' && depth == 0) {
      return {SectionExtent::Kind::complete, i + 1};
    } else if (c == ')' || c == ']' || c == '}') {
      --depth;
    }
  }
  return {SectionExtent::Kind::incomplete};
}

std::optional<FunctionCall> python_call(std::string_view text) {
  text = trim(text);
  const std::size_t name = identifier_length(text);
  if (name == 0 || !text.substr(name).starts_with(call_open) || !text.ends_with(')')) return std::nullopt;
  std::string_view rest = text.substr(name + call_open.size());
  rest.remove_suffix(1);
  OrderedJson arguments = OrderedJson::object();
  for (rest = trim(rest); !rest.empty(); rest = trim_left(rest)) {
    const std::size_t key = identifier_length(rest);
    if (key == 0) return std::nullopt;
    const std::string key_name(rest.substr(0, key));
    rest = trim_left(rest.substr(key));
    if (!rest.starts_with('=')) return std::nullopt;
    rest = trim_left(rest.substr(1));
    std::optional<OrderedJson> value = read_value(rest);
    if (!value) return std::nullopt;
    arguments[key_name] = std::move(*value);
    rest = trim_left(rest);
    if (rest.starts_with(',')) rest.remove_prefix(1);
    else if (!rest.empty()) return std::nullopt;
  }
  return FunctionCall{std::string(text.substr(0, name)), compact_json(arguments)};
}

}  // namespace rbee::chat
