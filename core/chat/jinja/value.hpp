#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace rbee::chat::jinja {

class Value;
struct CallArgs;
using ValueList = std::vector<Value>;
using Function = std::function<Value(CallArgs&)>;

// A dict keeping insertion order, as Python's; keys are mostly strings, sometimes numbers.
struct Dict {
  std::vector<std::pair<Value, Value>> items;
  const Value* find(const Value& key) const;  // Python's lookup: 1, 1.0 and True are one key
  const Value* find(const std::string& key) const;
  const Value* find(const char* key) const { return find(std::string(key)); }
  void set(Value key, Value value);
};

// A Jinja value: Python's types as jinja2 sees them. Lists, dicts and namespaces are shared
// (reference semantics as in Python) so that a namespace assigned in a loop is seen outside it.
class Value {
 public:
  enum class Kind { undefined, none, boolean, integer, real, string, list, dict, function };

  Value() = default;  // undefined
  static Value undefined(std::string hint) { Value v; v.hint_ = std::make_shared<std::string>(std::move(hint)); return v; }
  static Value none() { Value v; v.kind_ = Kind::none; return v; }
  Value(bool b) : kind_(Kind::boolean), int_(b) {}
  Value(int i) : kind_(Kind::integer), int_(i) {}
  Value(int64_t i) : kind_(Kind::integer), int_(i) {}
  Value(double d) : kind_(Kind::real), real_(d) {}
  Value(std::string s) : kind_(Kind::string), str_(std::make_shared<std::string>(std::move(s))) {}
  Value(const char* s) : Value(std::string(s)) {}
  Value(ValueList l, bool generator = false)
      : kind_(Kind::list), list_(std::make_shared<ValueList>(std::move(l))), generator_(generator) {}
  static Value tuple(ValueList l) { Value v(std::move(l)); v.tuple_ = true; return v; }
  // A namedtuple: a tuple whose items are also attributes (groupby's grouper and list).
  static Value named_tuple(ValueList l, std::shared_ptr<const std::vector<std::string>> fields) {
    Value v = tuple(std::move(l));
    v.fields_ = std::move(fields);
    return v;
  }
  // markupsafe's Markup (from |safe or |escape): `+` with a plain str escapes the str.
  static Value markup(std::string s) { Value v(std::move(s)); v.markup_ = true; return v; }
  Value(Dict d, bool is_namespace = false)
      : kind_(Kind::dict), dict_(std::make_shared<Dict>(std::move(d))), namespace_(is_namespace) {}
  Value(Function f, std::string name)
      : kind_(Kind::function), fn_(std::make_shared<Function>(std::move(f))), hint_(std::make_shared<std::string>(std::move(name))) {}

  // An object with attributes that can also be called, as jinja2's loop variable.
  static Value callable_namespace(Dict attributes, Function call) {
    Value v(std::move(attributes), true);
    v.fn_ = std::make_shared<Function>(std::move(call));
    return v;
  }

  static Value from_json(const nlohmann::ordered_json& j);
  nlohmann::ordered_json to_json() const;  // throws EvalError for what json.dumps rejects

  Kind kind() const { return kind_; }
  bool is_undefined() const { return kind_ == Kind::undefined; }
  bool is_none() const { return kind_ == Kind::none; }
  bool is_bool() const { return kind_ == Kind::boolean; }
  bool is_int() const { return kind_ == Kind::integer; }
  bool is_real() const { return kind_ == Kind::real; }
  bool is_number() const { return is_int() || is_real() || is_bool(); }
  bool is_string() const { return kind_ == Kind::string; }
  bool is_list() const { return kind_ == Kind::list; }
  bool is_dict() const { return kind_ == Kind::dict; }
  bool is_callable() const { return fn_ != nullptr; }
  bool is_generator() const { return generator_; }
  bool is_tuple() const { return tuple_; }
  bool is_markup() const { return markup_; }
  bool is_namespace() const { return namespace_; }
  const std::vector<std::string>* field_names() const { return fields_.get(); }

  bool as_bool() const { return int_ != 0; }
  int64_t as_int() const { return int_; }
  double as_real() const { return is_real() ? real_ : double(int_); }
  const std::string& as_string() const { return *str_; }
  const ValueList& as_list() const { return *list_; }
  ValueList& as_list() { return *list_; }
  const Dict& as_dict() const { return *dict_; }
  Dict& as_dict() { return *dict_; }
  const Function& as_function() const { return *fn_; }  // a function or a callable namespace
  // Why an undefined value is undefined ("'x' is undefined"), or a function's name.
  std::string hint() const { return hint_ ? *hint_ : std::string(); }

  bool truthy() const;                  // Python's bool()
  std::string type_name() const;        // Python's type name: str, int, dict, ...
  ValueList iterate() const;            // for-loop items (dict: keys; string: characters)
  bool equals(const Value& other) const;  // Python's ==

 private:
  Kind kind_ = Kind::undefined;
  int64_t int_ = 0;
  double real_ = 0;
  std::shared_ptr<std::string> str_;
  std::shared_ptr<ValueList> list_;
  std::shared_ptr<Dict> dict_;
  std::shared_ptr<Function> fn_;
  std::shared_ptr<std::string> hint_;
  std::shared_ptr<const std::vector<std::string>> fields_;  // a named tuple's attribute names
  bool generator_ = false;  // a lazy result of map/select/...: no len(), no tojson, as in jinja2
  bool tuple_ = false;      // printed (a, b)
  bool markup_ = false;
  bool namespace_ = false;
};

// The arguments of a call: positional, then keyword in the order given.
struct CallArgs {
  ValueList positional;
  std::vector<std::pair<std::string, Value>> keyword;
  Value caller;  // the body of a {% call %} block, for macros

  // The argument at `index` or named `name`, else `fallback`; marks it used.
  Value get(size_t index, const std::string& name, Value fallback = Value());
  bool has(size_t index, const std::string& name) const;
};

}  // namespace rbee::chat::jinja
