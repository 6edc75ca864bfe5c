#include "chat/jinja/python_format.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "chat/jinja/error.hpp"

namespace rbee::chat::jinja::python {

std::string float_repr(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d < 0 ? "-inf" : "inf";
  // The shortest digits that round-trip, laid out as Python's repr: fixed for 1e-4 <= |d| < 1e16.
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string sci(buf, end);
  std::string sign;
  if (sci[0] == '-') { sign = "-"; sci.erase(0, 1); }
  size_t e = sci.find('e');
  int exponent = std::stoi(sci.substr(e + 1));
  std::string digits = sci.substr(0, e);
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  if (exponent >= -4 && exponent < 16) {
    std::string out;
    if (exponent >= 0) {
      std::string int_part = digits.substr(0, std::min<size_t>(digits.size(), exponent + 1));
      int_part.append(exponent + 1 - int_part.size(), '0');
      std::string frac = digits.size() > size_t(exponent + 1) ? digits.substr(exponent + 1) : "0";
      out = int_part + "." + frac;
    } else {
      out = "0." + std::string(-exponent - 1, '0') + digits;
    }
    return sign + out;
  }
  std::string mantissa = digits.substr(0, 1) + (digits.size() > 1 ? "." + digits.substr(1) : "");
  char exp_text[16];
  std::snprintf(exp_text, sizeof exp_text, "e%c%02d", exponent < 0 ? '-' : '+', std::abs(exponent));
  return sign + mantissa + exp_text;
}

namespace {

std::string string_repr(const std::string& s) {
  char quote = (s.find('\'') != std::string::npos && s.find('"') == std::string::npos) ? '"' : '\'';
  std::string out(1, quote);
  for (unsigned char c : s) {
    if (c == '\\') out += "\\\\";
    else if (c == quote) { out += '\\'; out += char(c); }
    else if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (c < 0x20 || c == 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    } else out += char(c);
  }
  return out + quote;
}

void json_string(const std::string& s, bool ensure_ascii, std::string& out) {
  out += '"';
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = s[i];
    switch (c) {
      case '"': out += "\\\""; continue;
      case '\\': out += "\\\\"; continue;
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      case '\t': out += "\\t"; continue;
      case '\b': out += "\\b"; continue;
      case '\f': out += "\\f"; continue;
      default: break;
    }
    char hex[16];
    if (c < 0x20) {
      std::snprintf(hex, sizeof hex, "\\u%04x", c);
      out += hex;
    } else if (c >= 0x80 && ensure_ascii) {
      size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
      char32_t cp = c & (n == 4 ? 0x07 : n == 3 ? 0x0F : 0x1F);
      for (size_t k = 1; k < n && i + k < s.size(); ++k) cp = (cp << 6) | (s[i + k] & 0x3F);
      i += n - 1;
      if (cp >= 0x10000) {
        cp -= 0x10000;
        std::snprintf(hex, sizeof hex, "\\u%04x\\u%04x", unsigned(0xD800 + (cp >> 10)), unsigned(0xDC00 + (cp & 0x3FF)));
      } else {
        std::snprintf(hex, sizeof hex, "\\u%04x", unsigned(cp));
      }
      out += hex;
    } else {
      out += char(c);
    }
  }
  out += '"';
}

void dump(const Value& v, const JsonOptions& o, int level, std::string& out) {
  auto newline = [&](int depth) {
    if (!o.indent) return;
    out += '\n';
    for (int i = 0; i < depth; ++i) out += *o.indent;
  };
  switch (v.kind()) {
    case Value::Kind::none: out += "null"; return;
    case Value::Kind::boolean: out += v.as_bool() ? "true" : "false"; return;
    case Value::Kind::integer: out += std::to_string(v.as_int()); return;
    case Value::Kind::real: {
      double d = v.as_real();
      out += std::isnan(d) ? "NaN" : std::isinf(d) ? (d < 0 ? "-Infinity" : "Infinity") : float_repr(d);
      return;
    }
    case Value::Kind::string: json_string(v.as_string(), o.ensure_ascii, out); return;
    case Value::Kind::list: {
      if (v.is_generator()) throw EvalError("Object of type generator is not JSON serializable");
      if (v.as_list().empty()) { out += "[]"; return; }
      out += '[';
      bool first = true;
      for (const auto& item : v.as_list()) {
        if (!first) out += o.item_separator;
        first = false;
        newline(level + 1);
        dump(item, o, level + 1, out);
      }
      newline(level);
      out += ']';
      return;
    }
    case Value::Kind::dict: {
      if (v.is_namespace()) throw EvalError("Object of type Namespace is not JSON serializable");
      if (v.as_dict().items.empty()) { out += "{}"; return; }
      std::vector<const std::pair<Value, Value>*> items;
      for (const auto& item : v.as_dict().items) items.push_back(&item);
      if (o.sort_keys)
        std::stable_sort(items.begin(), items.end(), [](auto* a, auto* b) { return json_key(a->first) < json_key(b->first); });
      out += '{';
      bool first = true;
      for (const auto* item : items) {
        if (!first) out += o.item_separator;
        first = false;
        newline(level + 1);
        json_string(json_key(item->first), o.ensure_ascii, out);
        out += o.key_separator;
        dump(item->second, o, level + 1, out);
      }
      newline(level);
      out += '}';
      return;
    }
    default: throw EvalError("Object of type " + v.type_name() + " is not JSON serializable");
  }
}

}  // namespace

std::string json_key(const Value& key) {
  if (key.is_string()) return key.as_string();
  if (key.is_none()) return "null";
  if (key.is_bool()) return key.as_bool() ? "true" : "false";
  return str(key);
}

std::string repr(const Value& v) {
  if (v.is_string()) return string_repr(v.as_string());
  if (v.is_undefined()) return "Undefined";  // jinja2's Undefined.__repr__
  return str(v);
}

std::string str(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::undefined: return "";
    case Value::Kind::none: return "None";
    case Value::Kind::boolean: return v.as_bool() ? "True" : "False";
    case Value::Kind::integer: return std::to_string(v.as_int());
    case Value::Kind::real: return float_repr(v.as_real());
    case Value::Kind::string: return v.as_string();
    case Value::Kind::list: {
      if (v.is_generator()) return "<generator object>";
      std::string out = v.is_tuple() ? "(" : "[";
      for (size_t i = 0; i < v.as_list().size(); ++i) out += (i ? ", " : "") + repr(v.as_list()[i]);
      if (v.is_tuple()) return out + (v.as_list().size() == 1 ? ",)" : ")");
      return out + "]";
    }
    case Value::Kind::dict: {
      if (v.is_namespace()) return "<Namespace>";
      std::string out = "{";
      bool first = true;
      for (const auto& [k, item] : v.as_dict().items) {
        out += (first ? "" : ", ") + repr(k) + ": " + repr(item);
        first = false;
      }
      return out + "}";
    }
    case Value::Kind::function: return "<function " + v.hint() + ">";
  }
  return "";
}

std::string dumps(const Value& v, const JsonOptions& options) {
  std::string out;
  dump(v, options, 0, out);
  return out;
}

}  // namespace rbee::chat::jinja::python
