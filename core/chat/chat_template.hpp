#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "chat/jinja/template.hpp"

namespace rbee::chat {

// The shape every template assumes (an array of objects with a string "role"; content a string,
// null or a list of parts); throws std::invalid_argument naming the message index and field, so
// a bad conversation fails with a message about it rather than from deep inside a template.
void validate_messages(const nlohmann::ordered_json& messages);

// A model's chat template, parsed once, with where it came from and the special tokens
// (bos_token, eos_token, ...) it is rendered with, as transformers' apply_chat_template does.
class ChatTemplate {
 public:
  // origin names where the source came from in errors, e.g. "/m/tokenizer_config.json (chat_template)".
  // Parses the template; throws jinja::Error naming the line.
  ChatTemplate(std::string source, std::string origin, nlohmann::ordered_json special_tokens);

  // messages: an OpenAI-style array; tools: null for none; extra: more variables (an object),
  // which override the special tokens. Validates messages first (objects with a string "role";
  // content a string, null or a list of parts) and throws std::invalid_argument naming the
  // message index and field; a failure while rendering throws jinja::Error.
  std::string render(const nlohmann::ordered_json& messages, const nlohmann::ordered_json& tools,
                     bool add_generation_prompt,
                     const nlohmann::ordered_json& extra = nlohmann::ordered_json::object()) const;

  const std::string& source() const { return source_; }
  const std::string& origin() const { return origin_; }
  const nlohmann::ordered_json& special_tokens() const { return special_tokens_; }

 private:
  std::string source_;
  std::string origin_;
  nlohmann::ordered_json special_tokens_;
  jinja::Template template_;
};

}  // namespace rbee::chat
