#pragma once
#include <optional>
#include <string>

#include "chat/harmony/message.hpp"

namespace rbee::chat::harmony {

// A message header as the model wrote it, between <|start|> and <|message|>:
// "assistant to=functions.f<|channel|>commentary <|constrain|>json" read as openai/harmony reads
// it. `role`: the role the prompt already gave (the header then may omit it); otherwise the
// first word names it, and an unknown word followed by more is a tool's name. Never throws.
struct ParsedHeader {
  Message message;        // role, name, recipient, channel and content type; no content
  std::string remaining;  // words that are none of those (a malformed header), space-joined
};

// with_recipient false: only the role and channel are read, the other words are `remaining`
// (a message the model ended before <|message|>: its words are its text).
ParsedHeader parse_header(std::string header, std::optional<Role> role, bool with_recipient = true);

}  // namespace rbee::chat::harmony
