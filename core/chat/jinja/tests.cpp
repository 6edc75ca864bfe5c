#include "chat/jinja/tests.hpp"

#include <map>

#include "chat/jinja/error.hpp"
#include "chat/jinja/filters.hpp"
#include "chat/jinja/operators.hpp"
#include "chat/jinja/string_ops.hpp"

namespace rbee::chat::jinja {

namespace {

using Test = bool (*)(const Value&, CallArgs&);

Value argument(CallArgs& a) {
  if (a.positional.empty() && a.keyword.empty()) throw EvalError("test is missing its argument");
  return a.positional.empty() ? a.keyword.front().second : a.positional.front();
}

// Python's `is` on the values that are singletons: None, True, False.
bool same_as(const Value& a, const Value& b) {
  if (a.is_none() || b.is_none()) return a.is_none() && b.is_none();
  if (a.is_bool() || b.is_bool()) return a.is_bool() && b.is_bool() && a.as_bool() == b.as_bool();
  if (a.is_undefined() || b.is_undefined()) return false;
  return a.equals(b) && a.kind() == b.kind() && (a.is_number() || a.is_string());
}

const std::map<std::string, Test>& registry() {
  static const std::map<std::string, Test> tests = {
      {"defined", [](const Value& v, CallArgs&) { return !v.is_undefined(); }},
      {"undefined", [](const Value& v, CallArgs&) { return v.is_undefined(); }},
      {"none", [](const Value& v, CallArgs&) { return v.is_none(); }},
      {"string", [](const Value& v, CallArgs&) { return v.is_string(); }},
      {"mapping", [](const Value& v, CallArgs&) { return v.is_dict() && !v.is_namespace(); }},
      {"iterable", [](const Value& v, CallArgs&) { return v.is_string() || v.is_list() || v.is_dict() || v.is_undefined(); }},
      {"sequence", [](const Value& v, CallArgs&) {
         return v.is_string() || (v.is_list() && !v.is_generator()) || (v.is_dict() && !v.is_namespace()) || v.is_undefined();
       }},
      {"number", [](const Value& v, CallArgs&) { return v.is_number(); }},
      {"integer", [](const Value& v, CallArgs&) { return v.is_int(); }},
      {"float", [](const Value& v, CallArgs&) { return v.is_real(); }},
      {"boolean", [](const Value& v, CallArgs&) { return v.is_bool(); }},
      {"true", [](const Value& v, CallArgs&) { return v.is_bool() && v.as_bool(); }},
      {"false", [](const Value& v, CallArgs&) { return v.is_bool() && !v.as_bool(); }},
      {"callable", [](const Value& v, CallArgs&) { return v.is_callable(); }},
      {"lower", [](const Value& v, CallArgs&) { return v.is_string() && strings::lower(v.as_string()) == v.as_string(); }},
      {"upper", [](const Value& v, CallArgs&) { return v.is_string() && strings::upper(v.as_string()) == v.as_string(); }},
      {"odd", [](const Value& v, CallArgs&) { return binary_operation("%", v, Value(2)).as_int() == 1; }},
      {"even", [](const Value& v, CallArgs&) { return binary_operation("%", v, Value(2)).as_int() == 0; }},
      {"divisibleby", [](const Value& v, CallArgs& a) { return binary_operation("%", v, argument(a)).as_real() == 0; }},
      {"eq", [](const Value& v, CallArgs& a) { return v.equals(argument(a)); }},
      {"ne", [](const Value& v, CallArgs& a) { return !v.equals(argument(a)); }},
      {"lt", [](const Value& v, CallArgs& a) { return compare(v, argument(a), "<") < 0; }},
      {"le", [](const Value& v, CallArgs& a) { return compare(v, argument(a), "<=") <= 0; }},
      {"gt", [](const Value& v, CallArgs& a) { return compare(v, argument(a), ">") > 0; }},
      {"ge", [](const Value& v, CallArgs& a) { return compare(v, argument(a), ">=") >= 0; }},
      {"in", [](const Value& v, CallArgs& a) { return contains(argument(a), v); }},
      {"sameas", [](const Value& v, CallArgs& a) { return same_as(v, argument(a)); }},
      {"escaped", [](const Value& v, CallArgs&) { return v.is_markup(); }},
      {"filter", [](const Value& v, CallArgs&) { return v.is_string() && has_filter(v.as_string()); }},
      {"test", [](const Value& v, CallArgs&) { return v.is_string() && has_test(v.as_string()); }},
  };
  return tests;
}

// jinja2's aliases of the comparison tests.
std::string canonical(const std::string& name) {
  static const std::map<std::string, std::string> aliases = {
      {"equalto", "eq"}, {"==", "eq"}, {"!=", "ne"}, {"lessthan", "lt"}, {"<", "lt"}, {"<=", "le"},
      {"greaterthan", "gt"}, {">", "gt"}, {">=", "ge"}};
  auto it = aliases.find(name);
  return it == aliases.end() ? name : it->second;
}

}  // namespace

bool has_test(const std::string& name) { return registry().count(canonical(name)) > 0; }

bool apply_test(const std::string& name, const Value& input, CallArgs& args) {
  auto it = registry().find(canonical(name));
  if (it == registry().end()) throw EvalError("No test named '" + name + "' found.");
  return it->second(input, args);
}

}  // namespace rbee::chat::jinja
