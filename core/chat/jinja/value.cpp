#include "chat/jinja/value.hpp"

#include "chat/jinja/error.hpp"
#include "chat/jinja/utf8.hpp"

namespace rbee::chat::jinja {

const Value* Dict::find(const Value& key) const {
  if (key.is_string()) return find(key.as_string());
  for (const auto& [k, v] : items)
    if (k.equals(key)) return &v;
  return nullptr;
}

const Value* Dict::find(const std::string& key) const {
  for (const auto& [k, v] : items)
    if (k.is_string() && k.as_string() == key) return &v;
  return nullptr;
}

void Dict::set(Value key, Value value) {
  for (auto& [k, v] : items)
    if (k.equals(key)) { v = std::move(value); return; }
  items.emplace_back(std::move(key), std::move(value));
}

Value Value::from_json(const nlohmann::ordered_json& j) {
  switch (j.type()) {
    case nlohmann::ordered_json::value_t::null: return none();
    case nlohmann::ordered_json::value_t::boolean: return Value(j.get<bool>());
    case nlohmann::ordered_json::value_t::number_integer: return Value(j.get<int64_t>());
    case nlohmann::ordered_json::value_t::number_unsigned: return Value(int64_t(j.get<uint64_t>()));
    case nlohmann::ordered_json::value_t::number_float: return Value(j.get<double>());
    case nlohmann::ordered_json::value_t::string: return Value(j.get<std::string>());
    case nlohmann::ordered_json::value_t::array: {
      ValueList list;
      for (const auto& item : j) list.push_back(from_json(item));
      return Value(std::move(list));
    }
    case nlohmann::ordered_json::value_t::object: {
      Dict dict;
      for (const auto& [k, v] : j.items()) dict.items.emplace_back(k, from_json(v));
      return Value(std::move(dict));
    }
    default: return Value();
  }
}

nlohmann::ordered_json Value::to_json() const {
  switch (kind_) {
    case Kind::none: return nullptr;
    case Kind::boolean: return as_bool();
    case Kind::integer: return int_;
    case Kind::real: return real_;
    case Kind::string: return *str_;
    case Kind::list: {
      if (generator_) throw EvalError("Object of type generator is not JSON serializable");
      auto out = nlohmann::ordered_json::array();
      for (const auto& v : *list_) out.push_back(v.to_json());
      return out;
    }
    case Kind::dict: {
      if (namespace_) throw EvalError("Object of type Namespace is not JSON serializable");
      auto out = nlohmann::ordered_json::object();
      for (const auto& [k, v] : dict_->items) out[k.is_string() ? k.as_string() : k.to_json().dump()] = v.to_json();
      return out;
    }
    default: throw EvalError("Object of type " + type_name() + " is not JSON serializable");
  }
}

bool Value::truthy() const {
  switch (kind_) {
    case Kind::undefined: case Kind::none: return false;
    case Kind::boolean: case Kind::integer: return int_ != 0;
    case Kind::real: return real_ != 0;
    case Kind::string: return !str_->empty();
    case Kind::list: return generator_ || !list_->empty();
    case Kind::dict: return namespace_ || !dict_->items.empty();
    case Kind::function: return true;
  }
  return false;
}

std::string Value::type_name() const {
  switch (kind_) {
    case Kind::undefined: return "Undefined";
    case Kind::none: return "NoneType";
    case Kind::boolean: return "bool";
    case Kind::integer: return "int";
    case Kind::real: return "float";
    case Kind::string: return "str";
    case Kind::list: return generator_ ? "generator" : "list";
    case Kind::dict: return namespace_ ? "Namespace" : "dict";
    case Kind::function: return "function";
  }
  return "object";
}

ValueList Value::iterate() const {
  switch (kind_) {
    case Kind::undefined: return {};
    case Kind::list: return *list_;
    case Kind::dict: {
      ValueList keys;
      for (const auto& [k, v] : dict_->items) keys.emplace_back(k);
      return keys;
    }
    case Kind::string: {
      ValueList chars;
      for (auto& c : utf8::characters(*str_)) chars.emplace_back(std::move(c));
      return chars;
    }
    default: throw EvalError("'" + type_name() + "' object is not iterable");
  }
}

bool Value::equals(const Value& other) const {
  if (is_number() && other.is_number()) {
    if (is_real() || other.is_real()) return as_real() == other.as_real();
    return int_ == other.int_;
  }
  if (kind_ != other.kind_) return false;
  switch (kind_) {
    case Kind::undefined: case Kind::none: return true;
    case Kind::string: return *str_ == *other.str_;
    case Kind::list: {
      if (list_->size() != other.list_->size()) return false;
      for (size_t i = 0; i < list_->size(); ++i)
        if (!(*list_)[i].equals((*other.list_)[i])) return false;
      return true;
    }
    case Kind::dict: {
      if (dict_->items.size() != other.dict_->items.size()) return false;
      for (const auto& [k, v] : dict_->items) {
        const Value* o = other.dict_->find(k);
        if (!o || !v.equals(*o)) return false;
      }
      return true;
    }
    case Kind::function: return fn_ == other.fn_;
    default: return false;
  }
}

Value CallArgs::get(size_t index, const std::string& name, Value fallback) {
  for (const auto& [k, v] : keyword)
    if (k == name) return v;
  if (index < positional.size()) return positional[index];
  return fallback;
}

bool CallArgs::has(size_t index, const std::string& name) const {
  for (const auto& [k, v] : keyword)
    if (k == name) return true;
  return index < positional.size();
}

}  // namespace rbee::chat::jinja
