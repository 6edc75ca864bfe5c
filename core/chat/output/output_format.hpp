#pragma once
#include <optional>
#include <string_view>

namespace rbee::chat {

// How a model family writes tool calls in its output.
enum class ToolCallFormat {
  none,         // all text is content
  hermes,       // Hermes, Qwen2.5, Qwen3, SmolLM3: <tool_call>\n{"name": ..., "arguments": {...}}\n</tool_call>
  llama3_json,  // Llama 3.1/3.2/3.3: {"name": ..., "parameters": {...}} as the output, or after <|python_tag|>
  mistral,      // [TOOL_CALLS][{"name": ..., "arguments": {...}}] or [TOOL_CALLS]name[ARGS]{...}
  deepseek,     // DeepSeek V3/R1: <｜tool▁call▁begin｜>function<｜tool▁sep｜>name\n```json\n{...}\n```<｜tool▁call▁end｜>
  harmony,      // gpt-oss: <|start|>assistant to=functions.NAME<|channel|>commentary json<|message|>{...}<|call|>
                // (read with the harmony channels: OutputFormat::harmony)
};

// How to read a model's output.
struct OutputFormat {
  bool reasoning = false;            // a <think>...</think> block opening the output is reasoning
  bool starts_in_reasoning = false;  // the prompt opened <think>: the output begins inside it
  ToolCallFormat tool_calls = ToolCallFormat::none;
  // gpt-oss's harmony format (chat/output/harmony_output.hpp): channels say what is reasoning and
  // content, so `reasoning` and `starts_in_reasoning` are unused; tool calls are read unless
  // tool_calls is none.
  bool harmony = false;

  bool operator==(const OutputFormat&) const = default;
};

// The format for a chat template (its source text) and the prompt rendered from it.
//   harmony: the template writes "<|channel|>" (gpt-oss's); tool_calls is then harmony.
//   tool_calls: the first of these markers found in the template, in this order:
//     "<｜tool▁calls▁begin｜>" deepseek; "[TOOL_CALLS]" mistral; "<tool_call>" hermes;
//     "<|python_tag|>", or "<|start_header_id|>" with "\"parameters\"", llama3_json; else none.
//   reasoning: the template contains "<think>" or "</think>", or starts_in_reasoning.
//   starts_in_reasoning: the prompt, less trailing whitespace, ends with "<think>" (DeepSeek-R1's
//     and Qwen3-Thinking's generation prompts).
// A caller overrides the choice by building an OutputFormat itself (e.g. from tool_call_format_named).
OutputFormat detect_output_format(std::string_view template_source, std::string_view rendered_prompt);

// gpt-oss's harmony format, tool calls read.
OutputFormat harmony_output_format();

// "none", "hermes", "llama3_json", "mistral", "deepseek"; nullopt for any other name.
std::optional<ToolCallFormat> tool_call_format_named(std::string_view name);

}  // namespace rbee::chat
