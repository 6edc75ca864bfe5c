#pragma once
#include <string>

#include "chat/jinja/ast.hpp"

namespace rbee::chat::jinja {

// Parses a template into its statements, rejecting what jinja2 rejects at compile time (syntax
// errors, unknown tags, filters and tests) with an Error naming the line.
Body parse(const std::string& source, const std::string& template_name);

}  // namespace rbee::chat::jinja
