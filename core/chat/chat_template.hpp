#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "chat/jinja/template.hpp"
#include "chat/output/output_format.hpp"

namespace rbee::chat {

// The shape every template assumes (an array of objects with a string "role"; content a string,
// null or a list of parts); throws std::invalid_argument naming the message index and field, so
// a bad conversation fails with a message about it rather than from deep inside a template.
void validate_messages(const nlohmann::ordered_json& messages);

// A model's chat template, parsed once, with where it came from and the special tokens
// (bos_token, eos_token, ...) it is rendered with, as transformers' apply_chat_template does;
// or rbee's built-in harmony renderer (gpt-oss), which takes the same arguments.
class ChatTemplate {
 public:
  // origin names where the source came from in errors, e.g. "/m/tokenizer_config.json (chat_template)".
  // Parses the template; throws jinja::Error naming the line.
  ChatTemplate(std::string source, std::string origin, nlohmann::ordered_json special_tokens);

  // The harmony renderer (chat/harmony/chat_conversation.hpp: its kwargs reasoning_effort,
  // model_identity, builtin_tools come in `extra`); source() is empty.
  static ChatTemplate harmony(std::string origin);

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
  bool is_harmony() const { return !template_; }

  // How to read the output of a prompt rendered by this template: harmony's for the harmony
  // renderer, else detect_output_format(source(), rendered_prompt).
  OutputFormat output_format(std::string_view rendered_prompt) const;

 private:
  ChatTemplate(std::string origin);

  std::string source_;
  std::string origin_;
  nlohmann::ordered_json special_tokens_;
  std::optional<jinja::Template> template_;  // absent: the harmony renderer
};

}  // namespace rbee::chat
