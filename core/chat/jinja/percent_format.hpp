#pragma once
#include <string>

#include "chat/jinja/value.hpp"

// Python's printf-style formatting, `format % args`: the `%` operator on a str and jinja2's
// format filter. `args` is a tuple (the values in order), a dict (for %(name)s) or one value.
namespace rbee::chat::jinja::python {

std::string percent_format(const std::string& format, const Value& args);

}  // namespace rbee::chat::jinja::python
