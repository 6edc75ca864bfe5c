#pragma once
#include <string>

#include "chat/jinja/value.hpp"

// Attribute and item access as jinja2's sandbox does it: `a.b` tries the attribute (a method of
// str, dict or list) then the item, `a[b]` the other way round; what is missing is Undefined
// with jinja2's reason, and methods that would modify a list or dict are refused (the sandbox is
// immutable).
namespace rbee::chat::jinja {

Value get_attribute(const Value& object, const std::string& name);
// Python's getattr alone, without the item fallback (jinja2's attr filter): a dict's keys are not attributes.
Value python_attribute(const Value& object, const std::string& name);
Value get_item(const Value& object, const Value& key);
// jinja2's make_attrgetter: "a.b.0" walks items and attributes; a number is one index.
Value attribute_path(const Value& item, const Value& path);
Value slice(const Value& object, const Value& start, const Value& stop, const Value& step);

// The bound method `name` of a str, dict or list, or an Undefined when there is none.
Value method(const Value& object, const std::string& name);

}  // namespace rbee::chat::jinja
