#pragma once
// The body of POST /v1/chat/completions and /v1/completions, read and checked: every field of
// the wrong type or out of range is an ApiError (400) naming it. Fields OpenAI defines that rbee
// does not act on (user, metadata, ...) are ignored.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/scheduler.hpp"  // SamplerParams

namespace rbee::host::server {

struct CompletionRequest {
  bool chat = false;
  std::string model;  // as asked; "" when not given
  // chat: the conversation (text content parts joined, tool-call arguments as objects) and the
  // tools (null for none).
  nlohmann::ordered_json messages;
  nlohmann::ordered_json tools;
  bool tool_calls = true;  // false with tool_choice "none": the model sees the tools, its output is text
  // More template variables: chat_template_kwargs, with reasoning_effort ("low", "medium",
  // "high") over it.
  nlohmann::ordered_json template_kwargs = nlohmann::ordered_json::object();
  // completions: the prompt text.
  std::string prompt;
  SamplerParams sampling;            // the server's defaults, overridden by the request
  bool seeded = false;               // the request gave a seed (choice i uses seed + i)
  std::optional<uint32_t> max_tokens;  // max_tokens or max_completion_tokens
  uint32_t n = 1;
  std::vector<std::string> stop;
  bool stream = false;
  bool include_usage = false;  // stream_options.include_usage
  // Each token's log probability, with the top_logprobs likeliest tokens' (chat: logprobs true
  // and top_logprobs N; completions: logprobs N).
  bool logprobs = false;
  uint32_t top_logprobs = 0;
};

// body: the parsed JSON of the request. Throws ApiError.
CompletionRequest read_completion_request(const nlohmann::ordered_json& body, bool chat, const SamplerParams& defaults);

}  // namespace rbee::host::server
