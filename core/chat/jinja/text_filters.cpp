#include "chat/jinja/text_filters.hpp"

#include <cstdio>
#include <cstdlib>

#include "chat/jinja/error.hpp"
#include "chat/jinja/percent_format.hpp"
#include "chat/jinja/python_format.hpp"
#include "chat/jinja/string_ops.hpp"
#include "chat/jinja/utf8.hpp"

namespace rbee::chat::jinja {

namespace {

std::string substring(const std::vector<std::string>& chars, size_t count) {
  std::string out;
  for (size_t i = 0; i < count && i < chars.size(); ++i) out += chars[i];
  return out;
}

// markupsafe's unescape for the entities HTML text commonly holds (not the whole HTML5 table).
std::string unescape_entities(const std::string& s) {
  static const std::pair<const char*, const char*> named[] = {
      {"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}, {"&apos;", "'"}, {"&nbsp;", "\xc2\xa0"}};
  std::string out;
  for (size_t i = 0; i < s.size();) {
    bool done = false;
    if (s[i] == '&') {
      for (const auto& [entity, character] : named) {
        std::string e = entity;
        if (s.compare(i, e.size(), e) == 0) {
          out += character;
          i += e.size();
          done = true;
          break;
        }
      }
      if (!done && i + 2 < s.size() && s[i + 1] == '#') {
        bool hex = s[i + 2] == 'x' || s[i + 2] == 'X';
        size_t start = i + (hex ? 3 : 2), end = start;
        while (end < s.size() && (hex ? std::isxdigit(static_cast<unsigned char>(s[end])) : std::isdigit(static_cast<unsigned char>(s[end])))) ++end;
        if (end > start && end - start < 8) {
          out += utf8::encode(char32_t(std::stoul(s.substr(start, end - start), nullptr, hex ? 16 : 10)));
          i = end + (end < s.size() && s[end] == ';' ? 1 : 0);
          done = true;
        }
      }
    }
    if (!done) out += s[i++];
  }
  return out;
}

// urllib's quote as jinja2's url_quote calls it: "/" kept, except in a query string where " " becomes "+".
std::string url_quote(const std::string& s, bool for_query) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '_' || c == '.' || c == '-' || c == '~' || (c == '/' && !for_query)) {
      out += char(c);
    } else if (c == ' ' && for_query) {
      out += '+';
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

}  // namespace

// value % args, positional or keyword (not both), as jinja2's format filter.
Value format_filter(const Value& input, CallArgs& a) {
  if (!a.positional.empty() && !a.keyword.empty())
    throw EvalError("can't handle positional and keyword arguments at the same time");
  if (!a.keyword.empty()) {
    Dict d;
    for (const auto& [k, v] : a.keyword) d.set(k, v);
    return Value(python::percent_format(python::str(input), Value(std::move(d))));
  }
  return Value(python::percent_format(python::str(input), Value::tuple(a.positional)));
}

Value truncate_filter(const Value& input, CallArgs& a) {
  auto chars = utf8::characters(python::str(input));
  int64_t length = a.get(0, "length", Value(255)).as_int();
  bool killwords = a.get(1, "killwords", Value(false)).truthy();
  std::string end = python::str(a.get(2, "end", Value("...")));
  int64_t leeway = a.get(3, "leeway", Value(5)).as_int();  // jinja2's truncate.leeway policy
  int64_t end_length = int64_t(utf8::length(end));
  if (length < end_length) throw EvalError("expected length >= " + std::to_string(end_length) + ", got " + std::to_string(length));
  if (leeway < 0) throw EvalError("expected leeway >= 0, got " + std::to_string(leeway));
  if (int64_t(chars.size()) <= length + leeway) return Value(substring(chars, chars.size()));
  std::string kept = substring(chars, size_t(length - end_length));
  if (killwords) return Value(kept + end);
  size_t space = kept.rfind(' ');
  return Value((space == std::string::npos ? kept : kept.substr(0, space)) + end);
}

// markupsafe's striptags: comments and tags removed, whitespace runs joined by one space, entities unescaped.
Value striptags_filter(const Value& input, CallArgs&) {
  std::string s = python::str(input), without;
  for (size_t i = 0; i < s.size();) {
    size_t close = std::string::npos;
    if (s.compare(i, 4, "<!--") == 0) {
      close = s.find("-->", i + 4);
      if (close != std::string::npos) close += 3;
    }
    if (close == std::string::npos && s[i] == '<') {
      close = s.find('>', i + 1);
      if (close != std::string::npos) close += 1;
    }
    if (close == std::string::npos) {
      without += s[i++];
    } else {
      i = close;
    }
  }
  std::string joined;
  for (const auto& word : strings::split(without, std::nullopt, -1, false)) joined += (joined.empty() ? "" : " ") + word;
  return Value(unescape_entities(joined));
}

Value urlencode_filter(const Value& input, CallArgs&) {
  if (input.is_string() || !(input.is_list() || input.is_dict())) return Value(url_quote(python::str(input), false));
  ValueList pairs;
  if (input.is_dict()) {
    for (const auto& [k, v] : input.as_dict().items) pairs.push_back(Value::tuple({k, v}));
  } else {
    pairs = input.as_list();
  }
  std::string out;
  for (const auto& pair : pairs) {
    ValueList kv = pair.iterate();
    if (kv.size() != 2) throw EvalError("urlencode expects pairs of key and value");
    out += (out.empty() ? "" : "&") + url_quote(python::str(kv[0]), true) + "=" + url_quote(python::str(kv[1]), true);
  }
  return Value(out);
}

// The dict as XML attributes, ` key="value"`, skipping None and undefined values.
Value xmlattr_filter(const Value& input, CallArgs& a) {
  if (!input.is_dict()) throw EvalError("'" + input.type_name() + "' object has no attribute 'items'");
  bool autospace = a.get(0, "autospace", Value(true)).truthy();
  std::string out;
  for (const auto& [k, v] : input.as_dict().items) {
    if (v.is_none() || v.is_undefined()) continue;
    out += (out.empty() ? "" : " ") + strings::html_escape(python::str(k)) + "=\"" + strings::html_escape(python::str(v)) + "\"";
  }
  return Value::markup(autospace && !out.empty() ? " " + out : out);
}

Value filesizeformat_filter(const Value& input, CallArgs& a) {
  double bytes = 0;
  if (input.is_string()) {
    char* end = nullptr;
    bytes = std::strtod(input.as_string().c_str(), &end);
    if (input.as_string().empty() || *end != '\0')
      throw EvalError("could not convert string to float: " + python::repr(input));
  } else if (input.is_number()) {
    bytes = input.as_real();
  } else {
    throw EvalError("float() argument must be a string or a real number, not '" + input.type_name() + "'");
  }
  bool binary = a.get(0, "binary", Value(false)).truthy();
  double base = binary ? 1024 : 1000;
  static const char* const decimal[] = {"kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
  static const char* const binary_units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"};
  if (bytes == 1) return Value("1 Byte");
  if (bytes < base) return Value(std::to_string(int64_t(bytes)) + " Bytes");
  double unit = base;
  for (int i = 0; i < 8; ++i) {
    unit *= base;
    if (bytes < unit || i == 7) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.1f %s", base * bytes / unit, binary ? binary_units[i] : decimal[i]);
      return Value(std::string(buf));
    }
  }
  return Value();
}

}  // namespace rbee::chat::jinja
