#include "chat/output/harmony_output.hpp"

#include "chat/output/function_call_json.hpp"
#include "chat/output/text_scan.hpp"

namespace rbee::chat {
namespace {

constexpr std::string_view functions_prefix = "functions.";

}  // namespace

HarmonyOutput::HarmonyOutput(bool tool_calls, std::uint64_t id_seed)
    : parser_(harmony::Role::assistant), tool_calls_(tool_calls), ids_(id_seed) {}

void HarmonyOutput::push(std::string_view text, OutputDelta& out) { handle(parser_.push(text), out); }

void HarmonyOutput::finish(OutputDelta& out) { handle(parser_.finish(), out); }

void HarmonyOutput::handle(const std::vector<harmony::StreamEvent>& events, OutputDelta& out) {
  for (const harmony::StreamEvent& event : events) {
    const harmony::Message& message = parser_.messages()[event.message];
    const bool to_function = message.recipient.starts_with(functions_prefix);
    if (to_function && tool_calls_) {
      if (!event.ended) continue;
      const std::string name = message.recipient.substr(functions_prefix.size());
      const std::string& text = message.text();
      const std::optional<FunctionCall> call = function_call(name, text);
      out.tool_calls.push_back({calls_given_++, ids_.next(), name, call ? call->arguments : std::string(trim(text))});
    } else if (!to_function && (message.channel == "analysis" || !message.recipient.empty())) {
      append(out.reasoning, last_reasoning_, event.message, event.text);
    } else {
      append(out.content, last_content_, event.message, event.text);
    }
  }
}

void HarmonyOutput::append(std::string& field, std::size_t& last, std::size_t message, std::string_view text) {
  if (text.empty()) return;
  if (last != none && message != last) field += "\n\n";
  last = message;
  field += text;
}

}  // namespace rbee::chat
