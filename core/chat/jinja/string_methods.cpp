#include "chat/jinja/string_methods.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

#include "chat/jinja/error.hpp"
#include "chat/jinja/str_format.hpp"
#include "chat/jinja/string_ops.hpp"
#include "chat/jinja/utf8.hpp"

namespace rbee::chat::jinja {

namespace {

std::optional<std::string> optional_string(const Value& v, const char* method) {
  if (v.is_undefined() || v.is_none()) return std::nullopt;
  if (!v.is_string()) throw EvalError(std::string(method) + " arg must be None or str");
  return v.as_string();
}

std::string string_arg(const Value& v, const char* method) {
  if (!v.is_string()) throw EvalError(std::string(method) + "() argument must be str, not " + v.type_name());
  return v.as_string();
}

Value to_list(const std::vector<std::string>& parts) {
  ValueList out;
  for (const auto& p : parts) out.emplace_back(p);
  return Value(out);
}

std::string join(const std::vector<std::string>& chars, size_t from, size_t to) {
  std::string out;
  for (size_t i = from; i < to && i < chars.size(); ++i) out += chars[i];
  return out;
}

// The s[start:end] window that find/count/startswith take, and where it starts (in characters).
struct Window {
  std::string text;
  int64_t offset;
};
Window window(const std::string& s, CallArgs& a, size_t first_index) {
  auto chars = utf8::characters(s);
  int64_t n = int64_t(chars.size());
  auto bound = [&](const Value& v, int64_t fallback) {
    if (v.is_undefined() || v.is_none()) return fallback;
    int64_t i = v.as_int();
    return std::clamp<int64_t>(i < 0 ? i + n : i, 0, n);
  };
  int64_t start = bound(a.get(first_index, "start"), 0), end = bound(a.get(first_index + 1, "end"), n);
  if (end < start) end = start;
  return {join(chars, size_t(start), size_t(end)), start};
}

// startswith/endswith take a string or a tuple of them.
bool affix_match(const std::string& s, const Value& affix, bool at_start, const char* method) {
  if (affix.is_list()) {
    for (const auto& a : affix.as_list())
      if (affix_match(s, a, at_start, method)) return true;
    return false;
  }
  std::string a = string_arg(affix, method);
  if (a.size() > s.size()) return false;
  return at_start ? s.compare(0, a.size(), a) == 0 : s.compare(s.size() - a.size(), a.size(), a) == 0;
}

// Python's str.splitlines: \n, \r, \r\n and the other line boundaries Python knows.
Value splitlines(const std::string& s, bool keepends) {
  static const char* const boundaries[] = {"\r\n", "\n", "\r", "\v", "\f", "\x1c", "\x1d", "\x1e", "\u0085", "\u2028", "\u2029"};
  ValueList out;
  size_t line_start = 0;
  for (size_t i = 0; i < s.size();) {
    size_t matched = 0;
    for (const char* b : boundaries) {
      size_t n = std::char_traits<char>::length(b);
      if (s.compare(i, n, b) == 0) {
        matched = n;
        break;
      }
    }
    if (!matched) {
      ++i;
      continue;
    }
    out.emplace_back(s.substr(line_start, (keepends ? i + matched : i) - line_start));
    i += matched;
    line_start = i;
  }
  if (line_start < s.size()) out.emplace_back(s.substr(line_start));
  return Value(out);
}

Value partition(const std::string& s, const std::string& sep, bool from_right) {
  if (sep.empty()) throw EvalError("empty separator");
  size_t at = from_right ? s.rfind(sep) : s.find(sep);
  if (at == std::string::npos)
    return from_right ? Value::tuple({Value(""), Value(""), Value(s)}) : Value::tuple({Value(s), Value(""), Value("")});
  return Value::tuple({Value(s.substr(0, at)), Value(sep), Value(s.substr(at + sep.size()))});
}

// isupper/islower/istitle on the cased (ASCII) letters, as Python defines them.
bool case_test(const std::string& s, const std::string& name) {
  bool cased = false, previous_cased = false;
  for (unsigned char c : s) {
    bool up = std::isupper(c), low = std::islower(c);
    if (name == "isupper" && low) return false;
    if (name == "islower" && up) return false;
    if (name == "istitle" && ((up && previous_cased) || (low && !previous_cased))) return false;
    cased = cased || up || low;
    previous_cased = up || low;
  }
  return cased;
}

bool character_test(const std::string& s, const std::string& name) {
  if (s.empty()) return false;
  if (name == "isidentifier") {
    unsigned char first = static_cast<unsigned char>(s[0]);
    if (std::isdigit(first)) return false;
    return std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
  }
  return std::all_of(s.begin(), s.end(), [&](char ch) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (name == "isalpha") return bool(std::isalpha(c));
    if (name == "isspace") return bool(std::isspace(c));
    if (name == "isalnum") return bool(std::isalnum(c));
    return bool(std::isdigit(c));  // isdigit, isnumeric, isdecimal agree on ASCII
  });
}

std::string fill_character(const Value& v) {
  if (v.is_undefined()) return " ";
  if (!v.is_string() || utf8::length(v.as_string()) != 1) throw EvalError("The fill character must be exactly one character long");
  return v.as_string();
}

}  // namespace

Value string_method(const std::string& s, const std::string& name) {
  auto bind = [&](auto body) { return Value(Function([s, body](CallArgs& a) { return body(s, a); }), name); };
  if (name == "strip" || name == "lstrip" || name == "rstrip") {
    bool left = name != "rstrip", right = name != "lstrip";
    return bind([left, right](const std::string& s, CallArgs& a) {
      return Value(strings::strip(s, optional_string(a.get(0, "chars"), "strip"), left, right));
    });
  }
  if (name == "split" || name == "rsplit") {
    bool from_right = name == "rsplit";
    return bind([from_right](const std::string& s, CallArgs& a) {
      auto sep = optional_string(a.get(0, "sep"), "split");
      if (sep && sep->empty()) throw EvalError("empty separator");
      Value max = a.get(1, "maxsplit", Value(-1));
      return to_list(strings::split(s, sep, max.as_int(), from_right));
    });
  }
  if (name == "splitlines")
    return bind([](const std::string& s, CallArgs& a) { return splitlines(s, a.get(0, "keepends", Value(false)).truthy()); });
  if (name == "partition" || name == "rpartition") {
    bool from_right = name == "rpartition";
    return bind([from_right](const std::string& s, CallArgs& a) {
      return partition(s, string_arg(a.get(0, "sep"), from_right ? "rpartition" : "partition"), from_right);
    });
  }
  if (name == "startswith" || name == "endswith") {
    bool at_start = name == "startswith";
    return bind([at_start](const std::string& s, CallArgs& a) {
      return Value(affix_match(window(s, a, 1).text, a.get(0, "prefix"), at_start, at_start ? "startswith" : "endswith"));
    });
  }
  if (name == "removeprefix" || name == "removesuffix") {
    bool prefix = name == "removeprefix";
    return bind([prefix](const std::string& s, CallArgs& a) {
      std::string affix = string_arg(a.get(0, prefix ? "prefix" : "suffix"), prefix ? "removeprefix" : "removesuffix");
      if (!affix_match(s, Value(affix), prefix, "")) return Value(s);
      return Value(prefix ? s.substr(affix.size()) : s.substr(0, s.size() - affix.size()));
    });
  }
  if (name == "replace")
    return bind([](const std::string& s, CallArgs& a) {
      return Value(strings::replace(s, string_arg(a.get(0, "old"), "replace"), string_arg(a.get(1, "new"), "replace"),
                                    a.get(2, "count", Value(-1)).as_int()));
    });
  if (name == "upper") return bind([](const std::string& s, CallArgs&) { return Value(strings::upper(s)); });
  if (name == "lower" || name == "casefold") return bind([](const std::string& s, CallArgs&) { return Value(strings::lower(s)); });
  if (name == "capitalize") return bind([](const std::string& s, CallArgs&) { return Value(strings::capitalize(s)); });
  if (name == "title") return bind([](const std::string& s, CallArgs&) { return Value(strings::title(s)); });
  if (name == "swapcase")
    return bind([](const std::string& s, CallArgs&) {
      std::string out = s;
      for (auto& c : out) {
        unsigned char u = static_cast<unsigned char>(c);
        c = char(std::isupper(u) ? std::tolower(u) : std::toupper(u));
      }
      return Value(out);
    });
  if (name == "count")
    return bind([](const std::string& s, CallArgs& a) {
      return Value(strings::count(window(s, a, 1).text, string_arg(a.get(0, "x"), "count")));
    });
  if (name == "find" || name == "rfind" || name == "index" || name == "rindex")
    return bind([name](const std::string& s, CallArgs& a) {
      std::string sub = string_arg(a.get(0, "sub"), name.c_str());
      Window w = window(s, a, 1);
      size_t at = name[0] == 'r' ? w.text.rfind(sub) : w.text.find(sub);
      if (at == std::string::npos) {
        if (name == "index" || name == "rindex") throw EvalError("substring not found");
        return Value(-1);
      }
      return Value(w.offset + int64_t(utf8::length(w.text.substr(0, at))));
    });
  if (name == "join")
    return bind([](const std::string& s, CallArgs& a) {
      std::string out;
      bool first = true;
      Value items = a.get(0, "iterable");
      for (const auto& item : items.is_generator() ? items.as_list() : items.iterate()) {
        if (!item.is_string()) throw EvalError("sequence item: expected str instance, " + item.type_name() + " found");
        out += (first ? "" : s) + item.as_string();
        first = false;
      }
      return Value(out);
    });
  if (name == "zfill")
    return bind([](const std::string& s, CallArgs& a) {
      int64_t width = a.get(0, "width").as_int(), n = int64_t(utf8::length(s));
      if (width <= n) return Value(s);
      bool sign = !s.empty() && (s[0] == '-' || s[0] == '+');
      std::string zeros(size_t(width - n), '0');
      return Value(sign ? s.substr(0, 1) + zeros + s.substr(1) : zeros + s);
    });
  if (name == "ljust" || name == "rjust" || name == "center")
    return bind([name](const std::string& s, CallArgs& a) {
      int64_t width = a.get(0, "width").as_int(), n = int64_t(utf8::length(s));
      std::string fill = fill_character(a.get(1, "fillchar"));
      if (width <= n) return Value(s);
      if (name == "center") return Value(strings::center(s, width, fill));
      std::string padding;
      for (int64_t i = n; i < width; ++i) padding += fill;
      return Value(name == "ljust" ? s + padding : padding + s);
    });
  if (name == "isupper" || name == "islower" || name == "istitle")
    return bind([name](const std::string& s, CallArgs&) { return Value(case_test(s, name)); });
  if (name == "isdigit" || name == "isalpha" || name == "isspace" || name == "isalnum" || name == "isnumeric" ||
      name == "isdecimal" || name == "isidentifier")
    return bind([name](const std::string& s, CallArgs&) { return Value(character_test(s, name)); });
  if (name == "format") return bind([](const std::string& s, CallArgs& a) { return Value(python::str_format(s, a)); });
  return Value();
}

}  // namespace rbee::chat::jinja
