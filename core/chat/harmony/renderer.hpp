#pragma once
#include <string>
#include <vector>

#include "chat/harmony/message.hpp"

namespace rbee::chat::harmony {

struct RenderConfig {
  // Drops the analysis messages before the first final one when the last assistant message is
  // final (openai/harmony's auto_drop_analysis, on by default as there): earlier turns'
  // reasoning is not shown again.
  bool auto_drop_analysis = true;
};

// One message: <|start|>ROLE[ to=RECIPIENT][<|channel|>CHANNEL][ CONTENT_TYPE]<|message|>TEXT
// then <|call|> for an assistant's message to a recipient, else <|end|>. Throws
// std::invalid_argument for a tool message without a name, or system/developer content in a
// message of another role. has_function_tools: the conversation's developer message has
// function tools (the system message then says where calls go).
std::string render_message(const Message& message, bool has_function_tools = false);

// The messages, one after another.
std::string render_conversation(const std::vector<Message>& messages, const RenderConfig& config = {});

// The messages and the start of the next turn's header ("<|start|>assistant"): a prompt.
std::string render_for_completion(const std::vector<Message>& messages, Role next = Role::assistant,
                                  const RenderConfig& config = {});

// As render_conversation, the last message ending in <|return|> when it is the assistant's
// final answer: what the model learns to write.
std::string render_for_training(const std::vector<Message>& messages, const RenderConfig& config = {});

}  // namespace rbee::chat::harmony
