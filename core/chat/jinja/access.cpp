#include "chat/jinja/access.hpp"

#include <algorithm>
#include <optional>

#include "chat/jinja/error.hpp"
#include "chat/jinja/python_format.hpp"
#include "chat/jinja/string_ops.hpp"
#include "chat/jinja/utf8.hpp"

namespace rbee::chat::jinja {

namespace {

std::string object_name(const Value& v) {
  if (v.is_none()) return "'None'";
  return "'" + v.type_name() + " object'";
}

Value missing_attribute(const Value& object, const std::string& name) {
  return Value::undefined(object_name(object) + " has no attribute '" + name + "'");
}

// Python's index into a sequence of n, negative from the end; -1 when out of range.
int64_t resolve_index(int64_t i, size_t n) {
  if (i < 0) i += int64_t(n);
  return (i < 0 || i >= int64_t(n)) ? -1 : i;
}

}  // namespace

Value python_attribute(const Value& object, const std::string& name) {
  if (object.is_undefined()) throw EvalError(object.hint());
  if (object.is_list() && object.field_names()) {  // a named tuple: groupby's (grouper, list)
    const auto& names = *object.field_names();
    for (size_t i = 0; i < names.size() && i < object.as_list().size(); ++i)
      if (names[i] == name) return object.as_list()[i];
  }
  if (object.is_dict() && object.is_namespace()) {
    const Value* v = object.as_dict().find(name);
    return v ? *v : missing_attribute(object, name);
  }
  Value m = method(object, name);  // Undefined with no reason: no such method
  if (!m.is_undefined() || !m.hint().empty()) return m;
  return missing_attribute(object, name);
}

Value get_attribute(const Value& object, const std::string& name) {
  Value v = python_attribute(object, name);
  if (v.is_undefined() && object.is_dict() && !object.is_namespace()) {
    const Value* item = object.as_dict().find(name);
    if (item) return *item;
  }
  return v;
}

Value get_item(const Value& object, const Value& key) {
  if (object.is_undefined()) throw EvalError(object.hint());
  if (object.is_dict()) {
    const Value* v = object.as_dict().find(key);
    if (v) return *v;
    if (object.is_namespace() && key.is_string()) return missing_attribute(object, key.as_string());
  }
  if ((object.is_list() && !object.is_generator()) && key.is_int()) {
    int64_t i = resolve_index(key.as_int(), object.as_list().size());
    if (i >= 0) return object.as_list()[size_t(i)];
    return Value::undefined(object_name(object) + " has no element " + std::to_string(key.as_int()));
  }
  if (object.is_string() && key.is_int()) {
    auto chars = utf8::characters(object.as_string());
    int64_t i = resolve_index(key.as_int(), chars.size());
    if (i >= 0) return Value(chars[size_t(i)]);
    return Value::undefined(object_name(object) + " has no element " + std::to_string(key.as_int()));
  }
  if (key.is_string()) return python_attribute(object, key.as_string());
  return Value::undefined(object_name(object) + " has no element " + python::repr(key));
}

Value attribute_path(const Value& item, const Value& path) {
  if (!path.is_string()) return get_item(item, path);
  Value out = item;
  for (const auto& part : strings::split(path.as_string(), std::string("."), -1, false)) {
    bool digits = !part.empty() && std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (digits && part.size() > 18) throw EvalError("index " + part + " does not fit in 64 bits");
    out = get_item(out, digits ? Value(int64_t(std::stoll(part))) : Value(part));
  }
  return out;
}

Value slice(const Value& object, const Value& start, const Value& stop, const Value& step) {
  if (object.is_undefined()) throw EvalError(object.hint());
  auto bound = [](const Value& v, const char* what) -> std::optional<int64_t> {
    if (v.is_undefined() || v.is_none()) return std::nullopt;
    if (!v.is_int() && !v.is_bool()) throw EvalError(std::string("slice ") + what + " must be an integer or None");
    return v.as_int();
  };
  int64_t st = bound(step, "step").value_or(1);
  if (st == 0) throw EvalError("slice step cannot be zero");
  ValueList items;
  bool is_string = object.is_string();
  std::vector<std::string> chars;
  if (is_string) chars = utf8::characters(object.as_string());
  else if (object.is_list()) items = object.as_list();
  else throw EvalError("'" + object.type_name() + "' object is not subscriptable");
  int64_t n = int64_t(is_string ? chars.size() : items.size());
  // Python's slice.indices(): clamp each bound into the sequence, by the direction of the step.
  auto clamp = [&](std::optional<int64_t> v, int64_t fallback) {
    if (!v) return fallback;
    int64_t i = *v < 0 ? *v + n : *v;
    if (st > 0) return std::clamp<int64_t>(i, 0, n);
    return std::clamp<int64_t>(i, -1, n - 1);
  };
  int64_t b = clamp(bound(start, "start"), st > 0 ? 0 : n - 1);
  int64_t e = clamp(bound(stop, "stop"), st > 0 ? n : -1);
  std::string out_string;
  ValueList out_list;
  for (int64_t i = b; st > 0 ? i < e : i > e; i += st) {
    if (is_string) out_string += chars[size_t(i)];
    else out_list.push_back(items[size_t(i)]);
  }
  return is_string ? Value(out_string) : Value(out_list);
}

}  // namespace rbee::chat::jinja
