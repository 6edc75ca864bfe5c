// The methods of dict and list that templates call (`message.get('x')`), and the dispatch to str's.
#include <algorithm>
#include <cctype>
#include <optional>

#include "chat/jinja/access.hpp"
#include "chat/jinja/error.hpp"
#include "chat/jinja/python_format.hpp"
#include "chat/jinja/string_methods.hpp"

namespace rbee::chat::jinja {

namespace {

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
  if (object.is_string()) return string_method(object.as_string(), name);  // string_methods.cpp
  if (object.is_dict() && !object.is_namespace()) return dict_method(object, name);
  if (object.is_list() && !object.is_generator()) return list_method(object, name);
  return Value();
}

}  // namespace rbee::chat::jinja
