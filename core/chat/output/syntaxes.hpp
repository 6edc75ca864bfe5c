#pragma once
#include <memory>

#include "chat/output/tool_call_syntax.hpp"

// The tool-call syntaxes, one file each.
namespace rbee::chat {

std::unique_ptr<ToolCallSyntax> make_hermes_syntax();
std::unique_ptr<ToolCallSyntax> make_llama3_syntax();
std::unique_ptr<ToolCallSyntax> make_mistral_syntax();
std::unique_ptr<ToolCallSyntax> make_deepseek_syntax();

}  // namespace rbee::chat
