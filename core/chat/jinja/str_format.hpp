#pragma once
#include <string>

#include "chat/jinja/value.hpp"

// Python's str.format as jinja2's sandbox runs it: {}, {0}, {name}, {0[key]}, {name.attr},
// !r/!s conversions and the format spec mini-language for str, int and float.
namespace rbee::chat::jinja::python {

std::string str_format(const std::string& format, CallArgs& args);

}  // namespace rbee::chat::jinja::python
