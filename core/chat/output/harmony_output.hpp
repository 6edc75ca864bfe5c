#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "chat/harmony/stream_parser.hpp"
#include "chat/output/parsed_output.hpp"
#include "chat/output/tool_call_ids.hpp"

namespace rbee::chat {

// Reads gpt-oss's harmony output (the prompt ends "<|start|>assistant") into OpenAI's shape:
//   analysis channel                                  -> reasoning
//   final channel, commentary or no channel           -> content
//   a message to=functions.NAME (commentary)          -> a tool call NAME, its text the arguments
//                                                        (compact JSON when it is a JSON object)
//   a message to any other recipient (built-in tools) -> reasoning
// Messages of one kind are joined by "\n\n". Reasoning and content stream as they come; a tool
// call comes whole once its message ends (<|call|> or the end of the output). With tool_calls
// false, a call's text is content. Nothing throws.
class HarmonyOutput {
 public:
  HarmonyOutput(bool tool_calls, std::uint64_t id_seed);

  void push(std::string_view text, OutputDelta& out);
  void finish(OutputDelta& out);

 private:
  void handle(const std::vector<harmony::StreamEvent>& events, OutputDelta& out);
  static constexpr std::size_t none = static_cast<std::size_t>(-1);
  // Adds a message's text to reasoning or content, "\n\n" first when `last` (the message the
  // field's text last came from) is another one.
  void append(std::string& field, std::size_t& last, std::size_t message, std::string_view text);

  harmony::StreamParser parser_;
  bool tool_calls_;
  ToolCallIds ids_;
  std::size_t calls_given_ = 0;
  std::size_t last_reasoning_ = none, last_content_ = none;
};

}  // namespace rbee::chat
