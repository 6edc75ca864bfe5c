#pragma once
#include <optional>
#include <string_view>

#include "chat/output/tool_call_syntax.hpp"

// Llama 3.1's calls of its builtin tools, written as Python: brave_search.call(query="...").
namespace rbee::chat {

// How far the `NAME.call(...)` at the start of `text` goes: complete through its closing
// parenthesis, not_a_call once `text` cannot start that way.
SectionExtent python_call_extent(std::string_view text);

// NAME.call(KEY=VALUE, ...) with Python literals (strings, numbers, True, False, None) as values,
// nothing after the parenthesis but whitespace; the arguments become a JSON object.
std::optional<FunctionCall> python_call(std::string_view text);

}  // namespace rbee::chat
