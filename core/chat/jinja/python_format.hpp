#pragma once
#include <optional>
#include <string>

#include "chat/jinja/value.hpp"

// Values written as Python writes them: str() for {{ }} output, repr() inside containers, and
// json.dumps(ensure_ascii=False) for transformers' tojson filter.
namespace rbee::chat::jinja::python {

std::string str(const Value& v);
std::string repr(const Value& v);
std::string float_repr(double d);
std::string json_key(const Value& key);  // json.dumps turns 1 into "1", True into "true"

struct JsonOptions {
  std::optional<std::string> indent;  // None, or the text of one indentation level
  std::string item_separator = ", ";  // json.dumps defaults: ", " without indent, "," with it
  std::string key_separator = ": ";
  bool sort_keys = false;
  bool ensure_ascii = false;
};
std::string dumps(const Value& v, const JsonOptions& options);

}  // namespace rbee::chat::jinja::python
