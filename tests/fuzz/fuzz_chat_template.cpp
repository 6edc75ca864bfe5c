// A chat template (the input) parsed and rendered with a conversation that has every message
// shape (system, user, assistant with a tool call, tool result) and a tool.
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "chat/chat_template.hpp"
#include "chat/jinja/error.hpp"
#include "fuzz_input.hpp"

namespace {

const nlohmann::ordered_json& messages() {
  static const auto m = nlohmann::ordered_json::parse(R"([
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": [{"type": "text", "text": "Weather in Paris?"}]},
    {"role": "assistant", "content": null, "tool_calls": [{"id": "c1", "type": "function",
      "function": {"name": "get_weather", "arguments": {"city": "Paris"}}}]},
    {"role": "tool", "tool_call_id": "c1", "content": "22 C"},
    {"role": "assistant", "content": "It is 22 C.", "reasoning_content": "Easy."}])");
  return m;
}

const nlohmann::ordered_json& tools() {
  static const auto t = nlohmann::ordered_json::parse(R"([{"type": "function", "function": {
    "name": "get_weather", "description": "Weather", "parameters": {"type": "object",
    "properties": {"city": {"type": "string"}}, "required": ["city"]}}}])");
  return t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const rbee::chat::ChatTemplate tmpl(std::string(rbee::fuzz::as_text(data, size)), "fuzz",
                                        {{"bos_token", "<s>"}, {"eos_token", "</s>"}});
    tmpl.render(messages(), tools(), true);
  } catch (const rbee::chat::jinja::Error&) {
  }
  return 0;
}
