#include "chat/output/parsed_output.hpp"

namespace rbee::chat {

void ParsedOutput::add(const OutputDelta& delta) {
  content += delta.content;
  reasoning += delta.reasoning;
  for (const ToolCallDelta& piece : delta.tool_calls) {
    if (piece.index >= tool_calls.size()) tool_calls.resize(piece.index + 1);
    ToolCall& call = tool_calls[piece.index];
    if (!piece.id.empty()) call.id = piece.id;
    if (!piece.name.empty()) call.name = piece.name;
    call.arguments += piece.arguments;
  }
}

}  // namespace rbee::chat
