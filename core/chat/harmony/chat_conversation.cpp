#include "chat/harmony/chat_conversation.hpp"

#include <ctime>
#include <stdexcept>

#include "chat/harmony/renderer.hpp"
#include "chat/harmony/tool_sections.hpp"
#include "chat/jinja/python_format.hpp"
#include "chat/jinja/value.hpp"

namespace rbee::chat::harmony {
namespace {

using nlohmann::ordered_json;

std::string local_date() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char text[16];
  std::strftime(text, sizeof text, "%Y-%m-%d", &local);
  return text;
}

std::string string_field(const ordered_json& object, const char* key) {
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

// A message's text: a string, or the text parts of a list joined.
std::string text_of(const ordered_json& message) {
  const auto content = message.find("content");
  if (content == message.end() || content->is_null()) return "";
  if (content->is_string()) return content->get<std::string>();
  std::string text;
  if (content->is_array())
    for (const ordered_json& part : *content)
      if (part.is_object()) text += string_field(part, "text");
  return text;
}

std::string reasoning_of(const ordered_json& message) {
  std::string thinking = string_field(message, "thinking");
  return thinking.empty() ? string_field(message, "reasoning_content") : thinking;
}

// Arguments as the template's tojson writes them (Python's json.dumps); a string as it is.
std::string arguments_text(const ordered_json& arguments) {
  if (arguments.is_string()) return arguments.get<std::string>();
  return jinja::python::dumps(jinja::Value::from_json(arguments.is_null() ? ordered_json::object() : arguments), {});
}

SystemContent system_content(const ordered_json& extra) {
  SystemContent system;
  if (const auto identity = extra.find("model_identity"); identity != extra.end() && identity->is_string())
    system.model_identity = identity->get<std::string>();
  const std::string date = string_field(extra, "current_date");
  system.conversation_start_date = date.empty() ? local_date() : date;
  if (const auto effort = extra.find("reasoning_effort"); effort != extra.end() && !effort->is_null()) {
    const std::optional<ReasoningEffort> named = effort->is_string() ? effort_named(effort->get<std::string>()) : std::nullopt;
    if (!named) throw std::invalid_argument("reasoning_effort: expected \"low\", \"medium\" or \"high\", got " + effort->dump());
    system.reasoning_effort = *named;
  }
  if (const auto builtins = extra.find("builtin_tools"); builtins != extra.end() && builtins->is_array()) {
    bool browser = false, python = false;
    for (const ordered_json& name : *builtins) {
      if (name == "browser") browser = true;
      else if (name == "python") python = true;
      else throw std::invalid_argument("builtin_tools: expected \"browser\" or \"python\", got " + name.dump());
    }
    if (browser) system.tools.push_back(browser_tool());
    if (python) system.tools.push_back(python_tool());
  }
  return system;
}

ToolNamespace function_tools(const ordered_json& tools) {
  ToolNamespace functions{"functions", "", {}};
  for (const ordered_json& tool : tools) {
    const ordered_json& function = tool.contains("function") ? tool["function"] : tool;
    ToolDescription description{string_field(function, "name"), string_field(function, "description"), nullptr};
    // As the template: parameters without properties are no parameters.
    if (const auto parameters = function.find("parameters");
        parameters != function.end() && parameters->is_object() && parameters->contains("properties") &&
        !(*parameters)["properties"].empty())
      description.parameters = *parameters;
    functions.tools.push_back(std::move(description));
  }
  return functions;
}

bool answered_later(const ordered_json& messages, size_t after) {
  for (size_t j = after + 1; j < messages.size(); ++j)
    if (messages[j].value("role", "") == "assistant" && !messages[j].contains("tool_calls")) return true;
  return false;
}

Message assistant(std::string channel, std::string text) {
  return {Role::assistant, "", "", std::move(channel), "", std::move(text)};
}

}  // namespace

std::vector<Message> chat_messages(const ordered_json& messages, const ordered_json& tools, bool add_generation_prompt,
                                   const ordered_json& extra) {
  std::vector<Message> out{{Role::system, "", "", "", "", system_content(extra)}};
  size_t first = 0;
  DeveloperContent developer;
  if (!messages.empty()) {
    const std::string role = messages[0].value("role", "");
    if (role == "system" || role == "developer") {
      const std::string instructions = text_of(messages[0]);
      if (!instructions.empty()) developer.instructions = instructions;
      first = 1;
    }
  }
  if (tools.is_array() && !tools.empty()) developer.tools.push_back(function_tools(tools));
  if (developer.instructions || !developer.tools.empty()) out.push_back({Role::developer, "", "", "", "", developer});

  std::string last_call;
  for (size_t i = first; i < messages.size(); ++i) {
    const ordered_json& message = messages[i];
    const std::string role = message.value("role", "");
    const std::string where = "messages[" + std::to_string(i) + "]";
    if (role == "user") {
      out.push_back({Role::user, "", "", "", "", text_of(message)});
    } else if (role == "assistant" && message.contains("tool_calls") && message["tool_calls"].is_array() &&
               !message["tool_calls"].empty()) {
      const std::string content = text_of(message), reasoning = reasoning_of(message);
      if (!content.empty() && !reasoning.empty())
        throw std::invalid_argument(where + ": an assistant message with tool calls has both content and reasoning; "
                                            "harmony has one analysis message before a call");
      const std::string analysis = reasoning.empty() ? content : reasoning;
      if (!analysis.empty() && !answered_later(messages, i)) out.push_back(assistant("analysis", analysis));
      for (const ordered_json& call : message["tool_calls"]) {
        const ordered_json& function = call.contains("function") ? call["function"] : call;
        last_call = string_field(function, "name");
        Message to_tool = assistant("commentary", arguments_text(function.value("arguments", ordered_json())));
        to_tool.recipient = "functions." + last_call;
        to_tool.content_type = "json";
        out.push_back(std::move(to_tool));
      }
    } else if (role == "assistant") {
      const std::string reasoning = reasoning_of(message);
      if (i + 1 == messages.size() && !add_generation_prompt && !reasoning.empty())
        out.push_back(assistant("analysis", reasoning));
      out.push_back(assistant("final", text_of(message)));
      last_call.clear();
    } else if (role == "tool") {
      if (last_call.empty()) throw std::invalid_argument(where + ": a tool result with no tool call before it");
      out.push_back({Role::tool, "functions." + last_call, "assistant", "commentary", "", text_of(message)});
    }
  }
  return out;
}

std::string render_chat(const ordered_json& messages, const ordered_json& tools, bool add_generation_prompt,
                        const ordered_json& extra) {
  const std::vector<Message> conversation = chat_messages(messages, tools, add_generation_prompt, extra);
  // chat_messages already left out the reasoning the template leaves out.
  const RenderConfig keep_all{.auto_drop_analysis = false};
  if (add_generation_prompt) return render_for_completion(conversation, Role::assistant, keep_all);
  return render_for_training(conversation, keep_all);  // a last answer ends in <|return|>
}

}  // namespace rbee::chat::harmony
