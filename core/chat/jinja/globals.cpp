#include "chat/jinja/globals.hpp"

#include <memory>

#include "chat/jinja/error.hpp"
#include "chat/jinja/python_format.hpp"

namespace rbee::chat::jinja {

namespace {

constexpr int64_t max_range = 100000;  // jinja2's sandbox refuses larger ranges (MAX_RANGE)

Value range(CallArgs& a) {
  for (const auto& v : a.positional)
    if (!v.is_int() && !v.is_bool()) throw EvalError("'" + v.type_name() + "' object cannot be interpreted as an integer");
  int64_t start = 0, stop = 0, step = 1;
  if (a.positional.size() == 1) {
    stop = a.positional[0].as_int();
  } else if (a.positional.size() >= 2) {
    start = a.positional[0].as_int();
    stop = a.positional[1].as_int();
    if (a.positional.size() > 2) step = a.positional[2].as_int();
  } else {
    throw EvalError("range expected at least 1 argument, got 0");
  }
  if (step == 0) throw EvalError("range() arg 3 must not be zero");
  int64_t count = step > 0 ? (stop > start ? (stop - start + step - 1) / step : 0)
                           : (start > stop ? (start - stop - step - 1) / -step : 0);
  if (count > max_range) throw EvalError("Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).");
  ValueList out;
  for (int64_t i = 0; i < count; ++i) out.emplace_back(start + i * step);
  return Value(out);
}

// namespace(dict?, key=value...): a mutable attribute holder, the only thing `set` may modify.
Value make_namespace(CallArgs& a) {
  Dict d;
  for (const auto& v : a.positional) {
    if (!v.is_dict()) throw EvalError("namespace() positional argument must be a mapping");
    for (const auto& [k, item] : v.as_dict().items) d.set(k, item);
  }
  for (const auto& [k, v] : a.keyword) d.set(k, v);
  return Value(std::move(d), true);
}

Value make_dict(CallArgs& a) {
  Dict d;
  for (const auto& v : a.positional)
    if (v.is_dict())
      for (const auto& [k, item] : v.as_dict().items) d.set(k, item);
  for (const auto& [k, v] : a.keyword) d.set(k, v);
  return Value(std::move(d));
}

Value cycler(CallArgs& a) {
  auto items = std::make_shared<ValueList>(a.positional);
  auto position = std::make_shared<size_t>(0);
  Dict d;
  d.set("next", Value(Function([items, position](CallArgs&) {
    if (items->empty()) return Value::none();
    Value v = (*items)[*position % items->size()];
    ++*position;
    return v;
  }), "next"));
  d.set("reset", Value(Function([position](CallArgs&) { *position = 0; return Value::none(); }), "reset"));
  return Value(std::move(d), true);
}

Value joiner(CallArgs& a) {
  std::string separator = python::str(a.get(0, "sep", Value(", ")));
  auto used = std::make_shared<bool>(false);
  return Value(Function([separator, used](CallArgs&) {
    if (!*used) { *used = true; return Value(""); }
    return Value(separator);
  }), "joiner");
}

}  // namespace

std::unordered_map<std::string, Value> make_globals(const RenderOptions& options) {
  std::unordered_map<std::string, Value> g;
  g["range"] = Value(Function(range), "range");
  g["namespace"] = Value(Function(make_namespace), "namespace");
  g["dict"] = Value(Function(make_dict), "dict");
  g["cycler"] = Value(Function(cycler), "cycler");
  g["joiner"] = Value(Function(joiner), "joiner");
  g["raise_exception"] = Value(Function([](CallArgs& a) -> Value {
    throw EvalError(python::str(a.get(0, "message")));
  }), "raise_exception");
  std::optional<std::tm> now = options.now;
  g["strftime_now"] = Value(Function([now](CallArgs& a) {
    std::tm t{};
    if (now) {
      t = *now;
    } else {
      std::time_t clock = std::time(nullptr);
      localtime_r(&clock, &t);
    }
    std::string format = python::str(a.get(0, "format"));
    char buf[512];
    size_t n = format.empty() ? 0 : std::strftime(buf, sizeof buf, format.c_str(), &t);
    return Value(std::string(buf, n));
  }), "strftime_now");
  return g;
}

}  // namespace rbee::chat::jinja
