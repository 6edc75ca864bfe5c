#pragma once
#include <string>

#include "chat/jinja/value.hpp"

namespace rbee::chat::jinja {

// The bound method `name` of the str `s` (`content.split('</think>')`), or an Undefined with no
// reason when str has no such method. Indices and widths count characters, as Python's do.
Value string_method(const std::string& s, const std::string& name);

}  // namespace rbee::chat::jinja
