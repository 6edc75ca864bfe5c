#pragma once
#include <string>

#include "chat/jinja/value.hpp"

namespace rbee::chat::jinja {

// jinja2's built-in tests (`x is defined`, `x is divisibleby 3`).
bool has_test(const std::string& name);
bool apply_test(const std::string& name, const Value& input, CallArgs& args);

}  // namespace rbee::chat::jinja
