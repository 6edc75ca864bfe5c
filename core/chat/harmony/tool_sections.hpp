#pragma once
#include <string>
#include <vector>

#include "chat/harmony/message.hpp"

namespace rbee::chat::harmony {

// "# Tools" and one "## NAME" section a namespace, in name order, as openai/harmony writes them:
// a namespace with tools as `namespace NAME { type TOOL = (_: {...}) => any; }` under its
// description as comments; one without tools (python) as its description alone.
std::string render_tools_section(const std::vector<ToolNamespace>& namespaces);

// The built-in tools gpt-oss was trained with, as openai/harmony describes them.
ToolNamespace browser_tool();
ToolNamespace python_tool();

}  // namespace rbee::chat::harmony
