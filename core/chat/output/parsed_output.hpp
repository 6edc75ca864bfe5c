#pragma once
#include <cstddef>
#include <string>
#include <vector>

// What a model's generated text means, in the shape of OpenAI's chat completion API.
namespace rbee::chat {

// One call of a function tool. `arguments` is compact JSON text (an object), as OpenAI sends it.
struct ToolCall {
  std::string id;
  std::string name;
  std::string arguments;

  bool operator==(const ToolCall&) const = default;
};

// A piece of a streamed tool call. Clients merge pieces by `index`: `id` and `name` come with
// the first piece of a call, `arguments` fragments are appended.
struct ToolCallDelta {
  std::size_t index = 0;
  std::string id;
  std::string name;
  std::string arguments;
};

// What one piece of generated text added.
struct OutputDelta {
  std::string content;
  std::string reasoning;
  std::vector<ToolCallDelta> tool_calls;

  bool empty() const { return content.empty() && reasoning.empty() && tool_calls.empty(); }
};

// The whole message: every delta merged.
struct ParsedOutput {
  std::string content;
  std::string reasoning;  // OpenAI's `reasoning_content`
  std::vector<ToolCall> tool_calls;

  void add(const OutputDelta& delta);
  bool operator==(const ParsedOutput&) const = default;
};

}  // namespace rbee::chat
