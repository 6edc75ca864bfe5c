#pragma once
#include <string>

#include "chat/jinja/value.hpp"

namespace rbee::chat::jinja {

// jinja2's built-in filters the chat templates use, with transformers' tojson.
bool has_filter(const std::string& name);
Value apply_filter(const std::string& name, const Value& input, CallArgs& args);

}  // namespace rbee::chat::jinja
