#pragma once
#include <string>
#include <unordered_map>

#include "chat/jinja/template.hpp"
#include "chat/jinja/value.hpp"

namespace rbee::chat::jinja {

// jinja2's global functions (range, namespace, dict, cycler, joiner) and transformers'
// raise_exception and strftime_now.
std::unordered_map<std::string, Value> make_globals(const RenderOptions& options);

}  // namespace rbee::chat::jinja
