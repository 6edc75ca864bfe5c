#pragma once
#include <string_view>

#include "chat/output/tool_call_syntax.hpp"

namespace rbee::chat {

// How far the JSON object or array at the start of `text` goes (leading whitespace skipped):
// complete with its length (through the closing bracket) once brackets outside strings balance,
// not_a_call when `text` starts with something else or a bracket closes the wrong one.
// Values inside are not checked: the JSON parser does that on the complete text.
SectionExtent json_extent(std::string_view text);

}  // namespace rbee::chat
