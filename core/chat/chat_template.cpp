#include "chat/chat_template.hpp"

#include <stdexcept>

#include "chat/harmony/chat_conversation.hpp"

namespace rbee::chat {

using nlohmann::ordered_json;

void validate_messages(const ordered_json& messages) {
  if (!messages.is_array())
    throw std::invalid_argument("messages: expected an array of messages, got " + std::string(messages.type_name()));
  for (size_t i = 0; i < messages.size(); ++i) {
    const ordered_json& message = messages[i];
    const std::string where = "messages[" + std::to_string(i) + "]";
    if (!message.is_object())
      throw std::invalid_argument(where + ": expected an object, got " + message.type_name());
    const auto role = message.find("role");
    if (role == message.end())
      throw std::invalid_argument(where + ": missing \"role\" (a string such as \"user\")");
    if (!role->is_string())
      throw std::invalid_argument(where + ".role: expected a string, got " + role->type_name());
    const auto content = message.find("content");
    if (content != message.end() && !content->is_string() && !content->is_null() && !content->is_array())
      throw std::invalid_argument(where + ".content: expected a string, null or a list of parts, got " +
                                  content->type_name());
  }
}

ChatTemplate::ChatTemplate(std::string source, std::string origin, ordered_json special_tokens)
    : source_(std::move(source)),
      origin_(std::move(origin)),
      special_tokens_(std::move(special_tokens)),
      template_(jinja::Template::parse(source_, origin_)) {}

ChatTemplate::ChatTemplate(std::string origin)
    : origin_(std::move(origin)), special_tokens_(ordered_json::object()) {}

ChatTemplate ChatTemplate::harmony(std::string origin) { return ChatTemplate(std::move(origin)); }

OutputFormat ChatTemplate::output_format(std::string_view rendered_prompt) const {
  return template_ ? detect_output_format(source_, rendered_prompt) : harmony_output_format();
}

std::string ChatTemplate::render(const ordered_json& messages, const ordered_json& tools, bool add_generation_prompt,
                                 const ordered_json& extra) const {
  validate_messages(messages);
  if (!tools.is_null() && !tools.is_array())
    throw std::invalid_argument("tools: expected an array of tools or null, got " + std::string(tools.type_name()));
  if (!extra.is_object())
    throw std::invalid_argument("extra template variables: expected an object, got " + std::string(extra.type_name()));
  if (!template_) return harmony::render_chat(messages, tools, add_generation_prompt, extra);
  // As transformers' render_jinja_template: tools and documents are always passed (None when
  // absent), then the special tokens and the caller's keywords, the latter winning.
  ordered_json context = {{"messages", messages},
                          {"tools", tools},
                          {"documents", nullptr},
                          {"add_generation_prompt", add_generation_prompt}};
  for (const auto& [name, value] : special_tokens_.items()) context[name] = value;
  for (const auto& [name, value] : extra.items()) context[name] = value;
  return template_->render(context);
}

}  // namespace rbee::chat
