#pragma once
#include <string>

#include "chat/jinja/ast.hpp"

namespace rbee::chat::jinja {

// jinja2 3.x rejects an unknown filter or test when compiling, except inside an `if` (its
// condition and branches, not a loop or macro within) or an inline `x if c else y`: there the
// error waits until the filter is reached. Throws Error with the line of the first offender.
void check_filter_and_test_names(const Body& body, const std::string& template_name);

}  // namespace rbee::chat::jinja
