#include "chat/jinja/percent_format.hpp"

#include <cmath>
#include <cstdio>

#include "chat/jinja/error.hpp"
#include "chat/jinja/python_format.hpp"
#include "chat/jinja/utf8.hpp"

namespace rbee::chat::jinja::python {

namespace {

struct Spec {
  std::string flags;  // of "-+ #0"
  int width = 0;
  int precision = -1;
  char type = 's';
  bool has(char flag) const { return flags.find(flag) != std::string::npos; }
};

// Pads `body` (sign and digits, or text) to the width as Python does: '-' left-aligns, '0' pads after the sign.
std::string pad(const std::string& sign, const std::string& body, const Spec& s, bool numeric) {
  size_t length = utf8::length(sign + body);
  if (s.width <= 0 || size_t(s.width) <= length) return sign + body;
  std::string fill(size_t(s.width) - length, ' ');
  if (s.has('-')) return sign + body + fill;
  if (numeric && s.has('0')) return sign + std::string(fill.size(), '0') + body;
  return fill + sign + body;
}

std::string sign_of(bool negative, const Spec& s) { return negative ? "-" : s.has('+') ? "+" : s.has(' ') ? " " : ""; }

std::string format_integer(const Value& v, const Spec& s) {
  if (!v.is_number()) throw EvalError(std::string("%") + s.type + " format: a real number is required, not " + v.type_name());
  int64_t n = v.is_real() ? int64_t(std::trunc(v.as_real())) : v.as_int();
  uint64_t magnitude = n < 0 ? uint64_t(0) - uint64_t(n) : uint64_t(n);
  char buf[32];
  const char* pattern = s.type == 'x' ? "%llx" : s.type == 'X' ? "%llX" : s.type == 'o' ? "%llo" : "%llu";
  std::snprintf(buf, sizeof buf, pattern, static_cast<unsigned long long>(magnitude));
  std::string digits = buf;
  if (s.precision > int(digits.size())) digits = std::string(size_t(s.precision) - digits.size(), '0') + digits;
  std::string prefix = !s.has('#') ? "" : s.type == 'x' ? "0x" : s.type == 'X' ? "0X" : s.type == 'o' ? "0o" : "";
  return pad(sign_of(n < 0, s) + prefix, digits, s, true);
}

std::string format_real(const Value& v, const Spec& s) {
  if (!v.is_number()) throw EvalError(std::string("must be real number, not ") + v.type_name());
  double d = v.as_real();
  if (std::isnan(d) || std::isinf(d)) {
    std::string word = std::isnan(d) ? "nan" : "inf";
    if (std::isupper(static_cast<unsigned char>(s.type))) for (auto& c : word) c = char(std::toupper(c));
    return pad(sign_of(std::signbit(d) && !std::isnan(d), s), word, s, false);
  }
  std::string pattern = std::string("%") + (s.has('#') ? "#" : "") + "." + std::to_string(s.precision < 0 ? 6 : s.precision) + s.type;
  char buf[512];
  std::snprintf(buf, sizeof buf, pattern.c_str(), std::fabs(d));
  return pad(sign_of(std::signbit(d), s), buf, s, true);
}

std::string format_one(const Value& v, const Spec& s) {
  switch (s.type) {
    case 's': case 'r': case 'a': {
      std::string text = s.type == 's' ? str(v) : repr(v);
      if (s.precision >= 0) {
        auto chars = utf8::characters(text);
        text.clear();
        for (size_t i = 0; i < chars.size() && i < size_t(s.precision); ++i) text += chars[i];
      }
      return pad("", text, s, false);
    }
    case 'd': case 'i': case 'u': case 'x': case 'X': case 'o': return format_integer(v, s);
    case 'e': case 'E': case 'f': case 'F': case 'g': case 'G': return format_real(v, s);
    case 'c': {
      if (v.is_string() && utf8::length(v.as_string()) == 1) return pad("", v.as_string(), s, false);
      if (v.is_int()) return pad("", utf8::encode(char32_t(v.as_int())), s, false);
      throw EvalError("%c requires int or char");
    }
  }
  throw EvalError(std::string("unsupported format character '") + s.type + "'");
}

}  // namespace

std::string percent_format(const std::string& format, const Value& args) {
  const bool mapping = args.is_dict() && !args.is_namespace();
  ValueList positional;
  if (args.is_list() && args.is_tuple()) positional = args.as_list();
  else if (!mapping) positional.push_back(args);
  size_t next = 0;
  auto take = [&]() -> Value {
    if (next >= positional.size()) throw EvalError("not enough arguments for format string");
    return positional[next++];
  };
  std::string out;
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') {
      out += format[i];
      continue;
    }
    if (++i >= format.size()) throw EvalError("incomplete format");
    Value key;
    if (format[i] == '(') {
      size_t close = format.find(')', i);
      if (close == std::string::npos) throw EvalError("incomplete format key");
      if (!mapping) throw EvalError("format requires a mapping");
      std::string name = format.substr(i + 1, close - i - 1);
      const Value* v = args.as_dict().find(name);
      if (!v) throw EvalError("KeyError: " + repr(Value(name)));
      key = *v;
      i = close + 1;
    }
    Spec s;
    while (i < format.size() && std::string("-+ #0").find(format[i]) != std::string::npos) s.flags += format[i++];
    auto number = [&]() {
      if (i < format.size() && format[i] == '*') {
        ++i;
        return int(take().as_int());
      }
      int n = 0;
      while (i < format.size() && std::isdigit(static_cast<unsigned char>(format[i]))) n = n * 10 + (format[i++] - '0');
      return n;
    };
    s.width = number();
    if (i < format.size() && format[i] == '.') {
      ++i;
      s.precision = number();
    }
    while (i < format.size() && (format[i] == 'l' || format[i] == 'h' || format[i] == 'L')) ++i;
    if (i >= format.size()) throw EvalError("incomplete format");
    s.type = format[i];
    if (s.type == '%') {
      out += '%';
      continue;
    }
    out += format_one(key.is_undefined() && !mapping ? take() : key.is_undefined() ? args : key, s);
  }
  if (!mapping && next < positional.size()) throw EvalError("not all arguments converted during string formatting");
  return out;
}

}  // namespace rbee::chat::jinja::python
