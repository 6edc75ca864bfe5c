#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chat/harmony/message.hpp"

namespace rbee::chat::harmony {

// What a piece of output added to message `message` (an index into messages()): `text` to its
// content, and whether it ended.
struct StreamEvent {
  std::size_t message = 0;
  std::string text;
  bool ended = false;
};

// Reads harmony text as it is generated (the formatting tokens as their text, "<|message|>"),
// as openai/harmony's StreamableParser reads tokens: a header up to <|message|>, content up to
// <|end|>, <|return|> or <|call|>, then <|start|> and the next header. Pushed in any pieces,
// the messages and the content events' text add up to the same. Text that may begin a marker
// is held back until a later piece decides. It reads leniently, as harmony's non-strict mode, and
// never throws: a message ended before <|message|> has its header's words as text; words left in
// a header begin the content; text where <|start|> belongs begins an assistant message's header.
class StreamParser {
 public:
  // role: the role the prompt opened ("<|start|>assistant"): the output begins with the rest of
  // that header. nullopt: it begins with <|start|>.
  explicit StreamParser(std::optional<Role> role = Role::assistant);

  std::vector<StreamEvent> push(std::string_view text);
  // The end of the output: a message still open ends there.
  std::vector<StreamEvent> finish();

  // The messages so far: every one whose header was read, the last perhaps still open.
  const std::vector<Message>& messages() const { return messages_; }

 private:
  enum class State { expect_start, header, content };

  void process(bool at_end, std::vector<StreamEvent>& events);
  bool process_expect_start(bool at_end);
  bool process_header(bool at_end, std::vector<StreamEvent>& events);
  bool process_content(bool at_end, std::vector<StreamEvent>& events);
  void add_content(std::string_view text, std::vector<StreamEvent>& events);

  State state_;
  std::optional<Role> role_;  // the role of the header being read, when the prompt gave it
  std::string held_;
  std::vector<Message> messages_;
};

// All the messages of a whole output.
std::vector<Message> parse_messages(std::string_view text, std::optional<Role> role = Role::assistant);

}  // namespace rbee::chat::harmony
