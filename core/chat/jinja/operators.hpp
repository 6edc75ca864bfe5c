#pragma once
#include <string>

#include "chat/jinja/value.hpp"

// Python's operators on values: int and float arithmetic, str and list + and *, ordering,
// membership; Undefined operands raise as jinja2's Undefined does.
namespace rbee::chat::jinja {

Value binary_operation(const std::string& op, const Value& left, const Value& right);
// Python's ordering: -1, 0 or 1; throws on types Python does not order ('<' not supported).
int compare(const Value& left, const Value& right, const char* op = "<");
bool contains(const Value& container, const Value& item);
Value negate(const Value& v);

}  // namespace rbee::chat::jinja
