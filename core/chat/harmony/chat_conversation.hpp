#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "chat/harmony/message.hpp"

namespace rbee::chat::harmony {

// An OpenAI-style conversation as harmony messages, the way gpt-oss's own chat template builds
// them (its kwargs come in `extra`):
//   system   model_identity (default harmony's), knowledge cutoff 2024-06, the current date
//            (extra "current_date", else today's local date), reasoning_effort ("low", "medium"
//            default, "high"), builtin_tools (a list of "browser", "python");
//   developer a first "system" or "developer" message as the instructions, and the tools
//            (OpenAI's [{"type": "function", "function": {...}}]) as the functions namespace;
//   assistant tool_calls: each a commentary message to=functions.NAME (content type json, the
//            arguments as JSON text), after the message's reasoning ("thinking" or
//            "reasoning_content", else its content) on the analysis channel unless a later
//            assistant message answers without calls; otherwise its content on the final channel,
//            reasoning dropped except for a last assistant message when no generation prompt
//            follows (add_generation_prompt false; render_chat then ends it with <|return|>);
//   tool     from functions.NAME (the last call's since the last answer) to=assistant on the
//            commentary channel;
//   user     as is; other roles after the first message are left out, as the template does.
// Throws std::invalid_argument, naming the message, for a tool result with no call before it,
// an assistant message with both reasoning and content beside its tool calls, or a
// builtin/effort value harmony does not know.
std::vector<Message> chat_messages(const nlohmann::ordered_json& messages, const nlohmann::ordered_json& tools,
                                   bool add_generation_prompt,
                                   const nlohmann::ordered_json& extra = nlohmann::ordered_json::object());

// The prompt: the messages rendered, then "<|start|>assistant" when add_generation_prompt.
std::string render_chat(const nlohmann::ordered_json& messages, const nlohmann::ordered_json& tools,
                        bool add_generation_prompt,
                        const nlohmann::ordered_json& extra = nlohmann::ordered_json::object());

}  // namespace rbee::chat::harmony
