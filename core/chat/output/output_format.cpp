#include "chat/output/output_format.hpp"

#include <array>
#include <utility>

#include "chat/harmony/message.hpp"
#include "chat/output/reasoning_splitter.hpp"
#include "chat/output/text_scan.hpp"

namespace rbee::chat {
namespace {

ToolCallFormat detect_tool_calls(std::string_view source) {
  const auto has = [&](std::string_view marker) { return source.find(marker) != std::string_view::npos; };
  if (has("<｜tool▁calls▁begin｜>")) return ToolCallFormat::deepseek;
  if (has("[TOOL_CALLS]")) return ToolCallFormat::mistral;
  if (has("<tool_call>")) return ToolCallFormat::hermes;
  // Llama 3.2's template never writes <|python_tag|>; it asks for {"name": ..., "parameters": ...}.
  if (has("<|python_tag|>") || (has("<|start_header_id|>") && has("\"parameters\""))) {
    return ToolCallFormat::llama3_json;
  }
  return ToolCallFormat::none;
}

}  // namespace

OutputFormat detect_output_format(std::string_view template_source, std::string_view rendered_prompt) {
  OutputFormat format;
  if (template_source.find(harmony::channel_token) != std::string_view::npos) return harmony_output_format();
  format.tool_calls = detect_tool_calls(template_source);
  format.starts_in_reasoning = trim_right(rendered_prompt).ends_with(think_open);
  format.reasoning = format.starts_in_reasoning || template_source.find(think_open) != std::string_view::npos ||
                     template_source.find(think_close) != std::string_view::npos;
  return format;
}

OutputFormat harmony_output_format() {
  OutputFormat format;
  format.harmony = true;
  format.tool_calls = ToolCallFormat::harmony;
  return format;
}

std::optional<ToolCallFormat> tool_call_format_named(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, ToolCallFormat>, 5> names{{
      {"none", ToolCallFormat::none},
      {"hermes", ToolCallFormat::hermes},
      {"llama3_json", ToolCallFormat::llama3_json},
      {"mistral", ToolCallFormat::mistral},
      {"deepseek", ToolCallFormat::deepseek},
  }};
  for (const auto& [known, format] : names) {
    if (known == name) return format;
  }
  return std::nullopt;
}

}  // namespace rbee::chat
