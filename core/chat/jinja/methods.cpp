// The methods of str, dict and list that templates call (`content.split('</think>')`, `message.get('x')`).
#include <algorithm>
#include <cctype>
#include <optional>

#include "chat/jinja/access.hpp"
#include "chat/jinja/error.hpp"
#include "chat/jinja/python_format.hpp"
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
  if (name == "startswith" || name == "endswith") {
    bool at_start = name == "startswith";
    return bind([at_start](const std::string& s, CallArgs& a) {
      return Value(affix_match(s, a.get(0, "prefix"), at_start, at_start ? "startswith" : "endswith"));
    });
  }
  if (name == "replace")
    return bind([](const std::string& s, CallArgs& a) {
      return Value(strings::replace(s, string_arg(a.get(0, "old"), "replace"), string_arg(a.get(1, "new"), "replace"),
                                    a.get(2, "count", Value(-1)).as_int()));
    });
  if (name == "upper") return bind([](const std::string& s, CallArgs&) { return Value(strings::upper(s)); });
  if (name == "lower") return bind([](const std::string& s, CallArgs&) { return Value(strings::lower(s)); });
  if (name == "capitalize") return bind([](const std::string& s, CallArgs&) { return Value(strings::capitalize(s)); });
  if (name == "title") return bind([](const std::string& s, CallArgs&) { return Value(strings::title(s)); });
  if (name == "count")
    return bind([](const std::string& s, CallArgs& a) { return Value(strings::count(s, string_arg(a.get(0, "x"), "count"))); });
  if (name == "find" || name == "rfind" || name == "index")
    return bind([name](const std::string& s, CallArgs& a) {
      std::string sub = string_arg(a.get(0, "sub"), name.c_str());
      size_t at = name == "rfind" ? s.rfind(sub) : s.find(sub);
      if (at == std::string::npos) {
        if (name == "index") throw EvalError("substring not found");
        return Value(-1);
      }
      return Value(int64_t(utf8::length(s.substr(0, at))));
    });
  if (name == "join")
    return bind([](const std::string& s, CallArgs& a) {
      std::string out;
      bool first = true;
      for (const auto& item : a.get(0, "iterable").iterate()) {
        if (!item.is_string()) throw EvalError("sequence item: expected str instance, " + item.type_name() + " found");
        out += (first ? "" : s) + item.as_string();
        first = false;
      }
      return Value(out);
    });
  if (name == "isdigit" || name == "isalpha" || name == "isspace" || name == "isalnum")
    return bind([name](const std::string& s, CallArgs&) {
      if (s.empty()) return Value(false);
      for (unsigned char c : s) {
        bool ok = name == "isdigit" ? std::isdigit(c) : name == "isalpha" ? std::isalpha(c)
                : name == "isspace" ? std::isspace(c) : std::isalnum(c);
        if (!ok) return Value(false);
      }
      return Value(true);
    });
  return Value();
}

Value dict_method(const Value& d, const std::string& name) {
  auto bind = [&](auto body) { return Value(Function([d, body](CallArgs& a) { return body(d.as_dict(), a); }), name); };
  if (name == "get")
    return bind([](const Dict& d, CallArgs& a) {
      Value key = a.get(0, "key");
      const Value* v = d.find(key);
      return v ? *v : a.get(1, "default", Value::none());
    });
  if (name == "items")
    return bind([](const Dict& d, CallArgs&) {
      ValueList out;
      for (const auto& [k, v] : d.items) out.push_back(Value::tuple({k, v}));
      return Value(out);
    });
  if (name == "keys")
    return bind([](const Dict& d, CallArgs&) {
      ValueList out;
      for (const auto& [k, v] : d.items) out.emplace_back(k);
      return Value(out);
    });
  if (name == "values")
    return bind([](const Dict& d, CallArgs&) {
      ValueList out;
      for (const auto& [k, v] : d.items) out.push_back(v);
      return Value(out);
    });
  if (name == "copy") return bind([](const Dict& d, CallArgs&) { return Value(Dict(d)); });
  return Value();
}

Value list_method(const Value& l, const std::string& name) {
  auto bind = [&](auto body) { return Value(Function([l, body](CallArgs& a) { return body(l.as_list(), a); }), name); };
  if (name == "index")
    return bind([](const ValueList& l, CallArgs& a) {
      Value x = a.get(0, "x");
      for (size_t i = 0; i < l.size(); ++i)
        if (l[i].equals(x)) return Value(int64_t(i));
      throw EvalError(python::repr(x) + " is not in list");
    });
  if (name == "count")
    return bind([](const ValueList& l, CallArgs& a) {
      Value x = a.get(0, "x");
      return Value(int64_t(std::count_if(l.begin(), l.end(), [&](const Value& v) { return v.equals(x); })));
    });
  if (name == "copy") return bind([](const ValueList& l, CallArgs&) { return Value(ValueList(l)); });
  return Value();
}

bool modifies(const Value& object, const std::string& name) {
  static const char* const list_methods[] = {"append", "clear", "extend", "insert", "pop", "remove", "reverse", "sort"};
  static const char* const dict_methods[] = {"clear", "pop", "popitem", "setdefault", "update"};
  if (object.is_list()) return std::find(std::begin(list_methods), std::end(list_methods), name) != std::end(list_methods);
  if (object.is_dict()) return std::find(std::begin(dict_methods), std::end(dict_methods), name) != std::end(dict_methods);
  return false;
}

}  // namespace

Value method(const Value& object, const std::string& name) {
  if (modifies(object, name))
    return Value::undefined("access to attribute '" + name + "' of '" + object.type_name() + "' object is unsafe.");
  if (object.is_string()) return string_method(object.as_string(), name);
  if (object.is_dict() && !object.is_namespace()) return dict_method(object, name);
  if (object.is_list() && !object.is_generator()) return list_method(object, name);
  return Value();
}

}  // namespace rbee::chat::jinja
