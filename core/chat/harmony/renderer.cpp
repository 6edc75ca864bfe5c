#include "chat/harmony/renderer.hpp"

#include <algorithm>
#include <stdexcept>

#include "chat/harmony/tool_sections.hpp"

namespace rbee::chat::harmony {
namespace {

std::string join(const std::vector<std::string>& parts, const char* separator) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? separator : "") + parts[i];
  return out;
}

std::string render_system(const SystemContent& system, bool has_function_tools) {
  std::vector<std::string> sections;
  std::vector<std::string> top;
  if (system.model_identity) top.push_back(*system.model_identity);
  if (system.knowledge_cutoff) top.push_back("Knowledge cutoff: " + *system.knowledge_cutoff);
  if (system.conversation_start_date) top.push_back("Current date: " + *system.conversation_start_date);
  if (!top.empty()) sections.push_back(join(top, "\n"));
  if (system.reasoning_effort) sections.push_back("Reasoning: " + std::string(effort_name(*system.reasoning_effort)));
  if (!system.tools.empty()) sections.push_back(render_tools_section(system.tools));
  if (!system.valid_channels.empty()) {
    std::string channels = "# Valid channels: " + join(system.valid_channels, ", ") + ".";
    if (system.channel_required) channels += " Channel must be included for every message.";
    if (has_function_tools) channels += "\nCalls to these tools must go to the commentary channel: 'functions'.";
    sections.push_back(channels);
  }
  return join(sections, "\n\n");
}

std::string render_developer(const DeveloperContent& developer) {
  std::vector<std::string> sections;
  if (developer.instructions) {
    sections.push_back("# Instructions");
    sections.push_back(*developer.instructions);
  }
  if (!developer.tools.empty()) sections.push_back(render_tools_section(developer.tools));
  return join(sections, "\n\n");
}

std::string render_content(const Message& message, bool has_function_tools) {
  if (const auto* system = std::get_if<SystemContent>(&message.content)) {
    if (message.role != Role::system) throw std::invalid_argument("harmony: system content in a message that is not the system's");
    return render_system(*system, has_function_tools);
  }
  if (const auto* developer = std::get_if<DeveloperContent>(&message.content)) {
    if (message.role != Role::developer)
      throw std::invalid_argument("harmony: developer content in a message that is not the developer's");
    return render_developer(*developer);
  }
  return message.text();
}

bool has_function_tools(const std::vector<Message>& messages) {
  return std::ranges::any_of(messages, [](const Message& message) {
    const auto* developer = std::get_if<DeveloperContent>(&message.content);
    return developer && std::ranges::any_of(developer->tools, [](const ToolNamespace& ns) {
             return ns.name == "functions" && !ns.tools.empty();
           });
  });
}

}  // namespace

std::string render_message(const Message& message, bool function_tools) {
  std::string out(start_token);
  if (message.role == Role::tool) {
    if (message.name.empty()) throw std::invalid_argument("harmony: a tool's message needs the tool's name");
    out += message.name;
  } else {
    out += role_name(message.role);
    if (!message.name.empty()) out += ":" + message.name;
  }
  if (!message.recipient.empty() && message.recipient != "all") out += " to=" + message.recipient;
  if (!message.channel.empty()) out += std::string(channel_token) + message.channel;
  if (!message.content_type.empty()) out += " " + message.content_type;
  out += message_token;
  out += render_content(message, function_tools);
  out += message.role == Role::assistant && !message.recipient.empty() ? call_token : end_token;
  return out;
}

std::string render_conversation(const std::vector<Message>& messages, const RenderConfig& config) {
  const bool function_tools = has_function_tools(messages);
  const auto last_assistant = std::ranges::find(messages.rbegin(), messages.rend(), Role::assistant, &Message::role);
  const bool drop_analysis =
      config.auto_drop_analysis && last_assistant != messages.rend() && last_assistant->channel == "final";
  const auto first_final = std::ranges::find(messages, std::string("final"), &Message::channel);
  std::string out;
  for (auto it = messages.begin(); it != messages.end(); ++it) {
    if (drop_analysis && it < first_final && it->channel == "analysis") continue;
    out += render_message(*it, function_tools);
  }
  return out;
}

std::string render_for_completion(const std::vector<Message>& messages, Role next, const RenderConfig& config) {
  return render_conversation(messages, config) + std::string(start_token) + std::string(role_name(next));
}

std::string render_for_training(const std::vector<Message>& messages, const RenderConfig& config) {
  std::string out = render_conversation(messages, config);
  if (!messages.empty() && messages.back().role == Role::assistant && messages.back().channel == "final")
    out.replace(out.size() - end_token.size(), end_token.size(), return_token);
  return out;
}

}  // namespace rbee::chat::harmony
