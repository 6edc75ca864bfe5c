#include "chat/output/tool_call_syntax.hpp"

#include "chat/output/syntaxes.hpp"

namespace rbee::chat {

std::unique_ptr<ToolCallSyntax> make_tool_call_syntax(ToolCallFormat format) {
  switch (format) {
    case ToolCallFormat::none: return nullptr;
    case ToolCallFormat::hermes: return make_hermes_syntax();
    case ToolCallFormat::llama3_json: return make_llama3_syntax();
    case ToolCallFormat::mistral: return make_mistral_syntax();
    case ToolCallFormat::deepseek: return make_deepseek_syntax();
    case ToolCallFormat::harmony: return nullptr;  // read by HarmonyOutput with the channels
  }
  return nullptr;
}

}  // namespace rbee::chat
