#include "chat/jinja/str_format.hpp"

#include <cmath>
#include <cstdio>

#include "chat/jinja/access.hpp"
#include "chat/jinja/error.hpp"
#include "chat/jinja/python_format.hpp"
#include "chat/jinja/utf8.hpp"

namespace rbee::chat::jinja::python {

namespace {

// [[fill]align][sign][#][0][width][,|_][.precision][type]
struct Spec {
  std::string fill = " ";
  char align = '\0';
  char sign = '-';
  bool alternate = false;
  int width = 0;
  char grouping = '\0';
  int precision = -1;
  char type = '\0';
};

bool is_align(char c) { return c == '<' || c == '>' || c == '^' || c == '='; }

Spec parse_spec(const std::string& text) {
  Spec s;
  auto chars = utf8::characters(text);
  size_t i = 0;
  if (chars.size() >= 2 && chars[1].size() == 1 && is_align(chars[1][0])) {
    s.fill = chars[0];
    s.align = chars[1][0];
    i = 2;
  } else if (!chars.empty() && chars[0].size() == 1 && is_align(chars[0][0])) {
    s.align = chars[0][0];
    i = 1;
  }
  auto at = [&](char c) { return i < chars.size() && chars[i].size() == 1 && chars[i][0] == c; };
  auto digit = [&] { return i < chars.size() && chars[i].size() == 1 && std::isdigit(static_cast<unsigned char>(chars[i][0])); };
  if (at('+') || at('-') || at(' ')) s.sign = chars[i++][0];
  if (at('#')) s.alternate = true, ++i;
  if (at('0')) {
    if (!s.align) s.fill = "0", s.align = '=';
    ++i;
  }
  while (digit()) s.width = s.width * 10 + (chars[i++][0] - '0');
  if (at(',') || at('_')) s.grouping = chars[i++][0];
  if (at('.')) {
    ++i;
    s.precision = 0;
    if (!digit()) throw EvalError("Format specifier missing precision");
    while (digit()) s.precision = s.precision * 10 + (chars[i++][0] - '0');
  }
  if (i < chars.size()) s.type = chars[i++][0];
  if (i < chars.size()) throw EvalError("Invalid format specifier '" + text + "'");
  return s;
}

std::string group_digits(const std::string& digits, char separator, size_t group = 3) {
  if (!separator) return digits;
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % group == 0) out += separator;
    out += digits[i];
  }
  return out;
}

std::string align(const std::string& sign, const std::string& body, const Spec& s, char default_align) {
  int64_t length = int64_t(utf8::length(sign + body));
  if (s.width <= length) return sign + body;
  int64_t pad = s.width - length;
  std::string fill;
  auto fills = [&](int64_t n) { std::string f; for (int64_t k = 0; k < n; ++k) f += s.fill; return f; };
  switch (s.align ? s.align : default_align) {
    case '<': return sign + body + fills(pad);
    case '^': return fills(pad / 2) + sign + body + fills(pad - pad / 2);
    case '=': return sign + fills(pad) + body;
    default: return fills(pad) + sign + body;
  }
}

std::string sign_text(bool negative, const Spec& s) { return negative ? "-" : s.sign == '+' ? "+" : s.sign == ' ' ? " " : ""; }

std::string format_integer(int64_t n, const Spec& s) {
  uint64_t magnitude = n < 0 ? uint64_t(0) - uint64_t(n) : uint64_t(n);
  std::string digits, prefix;
  if (s.type == 'x' || s.type == 'X' || s.type == 'o' || s.type == 'b') {
    int base = s.type == 'o' ? 8 : s.type == 'b' ? 2 : 16;
    const char* alphabet = s.type == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
    do {
      digits.insert(digits.begin(), alphabet[magnitude % uint64_t(base)]);
      magnitude /= uint64_t(base);
    } while (magnitude);
    digits = group_digits(digits, s.grouping, 4);  // Python groups these by four
    if (s.alternate) prefix = s.type == 'o' ? "0o" : s.type == 'b' ? "0b" : s.type == 'X' ? "0X" : "0x";
  } else if (s.type == 'c') {
    return align("", utf8::encode(char32_t(n)), s, '<');
  } else {
    digits = group_digits(std::to_string(magnitude), s.grouping);
  }
  return align(sign_text(n < 0, s) + prefix, digits, s, '>');
}

std::string format_real(double d, const Spec& s) {
  char type = s.type ? s.type : 'g';
  int precision = s.precision < 0 ? 6 : s.precision;
  std::string body;
  if (std::isnan(d) || std::isinf(d)) {
    body = std::isnan(d) ? "nan" : "inf";
  } else if (!s.type && s.precision < 0) {
    body = float_repr(std::fabs(d));  // no type, no precision: str(float)
  } else {
    double magnitude = std::fabs(d);
    if (type == '%') magnitude *= 100;
    std::string pattern = std::string("%") + (s.alternate ? "#" : "") + "." + std::to_string(precision) + (type == '%' ? 'f' : type);
    char buf[512];
    std::snprintf(buf, sizeof buf, pattern.c_str(), magnitude);
    body = buf;
    if (type == '%') body += '%';
    if (s.grouping) {
      size_t point = body.find_first_not_of("0123456789");
      body = group_digits(body.substr(0, point), s.grouping) + (point == std::string::npos ? "" : body.substr(point));
    }
  }
  if (std::isupper(static_cast<unsigned char>(type))) for (auto& c : body) c = char(std::toupper(static_cast<unsigned char>(c)));
  return align(sign_text(std::signbit(d) && !std::isnan(d), s), body, s, '>');
}

std::string format_value(const Value& v, const std::string& spec_text) {
  if (spec_text.empty()) return str(v);
  Spec s = parse_spec(spec_text);
  if (v.is_string()) {
    if (s.type && s.type != 's') throw EvalError(std::string("Unknown format code '") + s.type + "' for object of type 'str'");
    std::string text = v.as_string();
    if (s.precision >= 0) {
      auto chars = utf8::characters(text);
      text.clear();
      for (size_t i = 0; i < chars.size() && i < size_t(s.precision); ++i) text += chars[i];
    }
    return align("", text, s, '<');
  }
  if (v.is_number()) {
    bool integer_type = !s.type || std::string("bcdoxXn").find(s.type) != std::string::npos;
    if (!v.is_real() && integer_type) {
      if (s.precision >= 0) throw EvalError("Precision not allowed in integer format specifier");
      return format_integer(v.as_int(), s);
    }
    if (v.is_real() && integer_type && s.type) throw EvalError(std::string("Unknown format code '") + s.type + "' for object of type 'float'");
    return format_real(v.as_real(), s);
  }
  throw EvalError("unsupported format string passed to " + v.type_name() + ".__format__");
}

// field_name: "" (the next positional), a number, or a name; then .attribute and [key] parts.
Value resolve_field(const std::string& field, CallArgs& args, size_t& next_auto) {
  size_t end = field.find_first_of(".[");
  std::string head = field.substr(0, end);
  Value v;
  if (head.empty() || std::isdigit(static_cast<unsigned char>(head[0]))) {
    if (head.size() > 18) throw EvalError("Replacement index " + head + " out of range for positional args tuple");
    size_t index = head.empty() ? next_auto++ : size_t(std::stoul(head));
    if (index >= args.positional.size()) throw EvalError("Replacement index " + std::to_string(index) + " out of range for positional args tuple");
    v = args.positional[index];
  } else {
    bool found = false;
    for (const auto& [k, value] : args.keyword)
      if (k == head) v = value, found = true;
    if (!found) throw EvalError("KeyError: " + repr(Value(head)));
  }
  for (size_t i = end; i != std::string::npos && i < field.size();) {
    if (field[i] == '.') {
      size_t next = field.find_first_of(".[", i + 1);
      v = get_attribute(v, field.substr(i + 1, next == std::string::npos ? std::string::npos : next - i - 1));
      i = next;
    } else {
      size_t close = field.find(']', i);
      if (close == std::string::npos) throw EvalError("Missing ']' in format string");
      std::string key = field.substr(i + 1, close - i - 1);
      bool digits = !key.empty() && key.find_first_not_of("0123456789") == std::string::npos;
      if (digits && key.size() > 18) throw EvalError("index " + key + " does not fit in 64 bits");
      v = get_item(v, digits ? Value(int64_t(std::stoll(key))) : Value(key));
      i = close + 1;
    }
  }
  return v;
}

}  // namespace

std::string str_format(const std::string& format, CallArgs& args) {
  std::string out;
  size_t next_auto = 0;
  for (size_t i = 0; i < format.size(); ++i) {
    char c = format[i];
    if (c == '}') {
      if (i + 1 < format.size() && format[i + 1] == '}') ++i;
      else throw EvalError("Single '}' encountered in format string");
      out += '}';
      continue;
    }
    if (c != '{') {
      out += c;
      continue;
    }
    if (i + 1 < format.size() && format[i + 1] == '{') {
      out += '{';
      ++i;
      continue;
    }
    size_t close = format.find('}', i);
    if (close == std::string::npos) throw EvalError("Single '{' encountered in format string");
    std::string field = format.substr(i + 1, close - i - 1);
    if (field.find('{') != std::string::npos) throw EvalError("nested replacement fields in a format spec are not supported");
    std::string spec, conversion;
    size_t colon = field.find(':');
    if (colon != std::string::npos) spec = field.substr(colon + 1), field.resize(colon);
    size_t bang = field.find('!');
    if (bang != std::string::npos) conversion = field.substr(bang + 1), field.resize(bang);
    Value v = resolve_field(field, args, next_auto);
    if (conversion == "r" || conversion == "a") v = Value(repr(v));
    else if (conversion == "s") v = Value(str(v));
    else if (!conversion.empty()) throw EvalError("Unknown conversion specifier " + conversion);
    out += format_value(v, spec);
    i = close;
  }
  return out;
}

}  // namespace rbee::chat::jinja::python
