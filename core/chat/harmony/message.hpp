#pragma once
// OpenAI's harmony format (gpt-oss): messages as openai/harmony models them.
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace rbee::chat::harmony {

enum class Role { user, assistant, system, developer, tool };
std::string_view role_name(Role role);
std::optional<Role> role_named(std::string_view name);

enum class ReasoningEffort { low, medium, high };
std::string_view effort_name(ReasoningEffort effort);
// "low", "medium", "high"; nullopt for any other text.
std::optional<ReasoningEffort> effort_named(std::string_view name);

// One tool: `parameters` a JSON schema (an object), null when it takes none.
struct ToolDescription {
  std::string name;
  std::string description;
  nlohmann::ordered_json parameters;
};

// Tools under one name (functions.NAME, browser.search): the description heads the section.
struct ToolNamespace {
  std::string name;
  std::string description;
  std::vector<ToolDescription> tools;
};

// The system message: what openai/harmony's SystemContent::new() fills in, by default.
struct SystemContent {
  std::optional<std::string> model_identity = "You are ChatGPT, a large language model trained by OpenAI.";
  std::optional<ReasoningEffort> reasoning_effort = ReasoningEffort::medium;
  std::optional<std::string> knowledge_cutoff = "2024-06";
  std::optional<std::string> conversation_start_date;  // "2025-06-28"
  std::vector<ToolNamespace> tools;                     // built-in tools (browser, python)
  std::vector<std::string> valid_channels = {"analysis", "commentary", "final"};
  bool channel_required = true;
};

// The developer message: the instructions (the usual "system prompt") and the function tools.
struct DeveloperContent {
  std::optional<std::string> instructions;
  std::vector<ToolNamespace> tools;  // "functions" for function tools
};

using Content = std::variant<std::string, SystemContent, DeveloperContent>;

// One message. Empty strings are absent fields. A tool's message has role tool and the tool's
// name ("functions.get_weather") as its name; an assistant's call has the tool as recipient.
struct Message {
  Role role = Role::user;
  std::string name;
  std::string recipient;
  std::string channel;
  std::string content_type;  // "json", "<|constrain|>json", "code"
  Content content = std::string();

  // The text of a text message ("" for system and developer content).
  const std::string& text() const;
};

// The formatting tokens, as text.
inline constexpr std::string_view start_token = "<|start|>";
inline constexpr std::string_view message_token = "<|message|>";
inline constexpr std::string_view end_token = "<|end|>";
inline constexpr std::string_view return_token = "<|return|>";
inline constexpr std::string_view call_token = "<|call|>";
inline constexpr std::string_view channel_token = "<|channel|>";
inline constexpr std::string_view constrain_token = "<|constrain|>";

}  // namespace rbee::chat::harmony
