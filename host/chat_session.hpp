#pragma once
#include <atomic>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "chat/chat_template.hpp"
#include "engine/model.hpp"
#include "engine/next_token.hpp"

namespace rbee::host {

// The rendered conversation does not fit in the model's context.
class ContextFullError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One conversation with a loaded model: its messages, rendered through the chat template, and
// the tokens the model's KV cache holds. A turn evaluates only what the rendering adds after
// the longest prefix already in the cache.
class ChatSession {
 public:
  enum class Stop { EndOfTurn, Interrupted, AnswerLimit, ContextFull };
  struct Turn {
    std::string answer;
    Stop stop = Stop::EndOfTurn;
    size_t prompt_tokens = 0;  // the whole rendered conversation
    size_t reused_tokens = 0;  // of those, already in the cache
    size_t generated_tokens = 0;
    double prompt_seconds = 0, generation_seconds = 0;
  };

  // max_answer_tokens < 0: until the model ends its turn or the context is full.
  ChatSession(Model& model, const chat::ChatTemplate& chat_template, SamplerParams sampling, int max_answer_tokens);

  // What a turn tells as it goes: the rendered prompt once, then the answer's text piece by piece.
  struct Listener {
    virtual ~Listener() = default;
    virtual void prompt(const std::string& rendered) = 0;
    virtual void text(std::string_view piece) = 0;
  };

  // Adds the user's message and generates the answer, telling `listener`; `interrupted` is read
  // between tokens. The answer, however it stopped, joins the messages (a harmony answer as its
  // final channel's text; Turn::answer and the listener have its channels too).
  // Throws ContextFullError, the conversation unchanged, when the prompt alone does not fit.
  Turn reply(const std::string& user_text, Listener& listener, const std::atomic<bool>& interrupted);

  // Forgets the conversation; the system prompt stays.
  void reset();
  // Sets (or, when empty, removes) the system prompt at the head of the conversation.
  void set_system(const std::string& text);
  // Replaces the conversation (a system message included). Throws std::invalid_argument, as
  // chat::validate_messages, when it is not one.
  void set_messages(nlohmann::ordered_json messages);
  const nlohmann::ordered_json& messages() const { return messages_; }

 private:
  // Evaluates prompt after the cached prefix it shares; returns the first sampled token.
  int32_t evaluate_prompt(const std::vector<int32_t>& prompt, Turn& turn);

  Model& model_;
  const chat::ChatTemplate& template_;
  Sampler sampler_;
  int max_answer_tokens_;
  nlohmann::ordered_json messages_ = nlohmann::ordered_json::array();
  std::vector<int32_t> cached_;  // the tokens at positions 0 .. model.n_past() - 1
};

}  // namespace rbee::host
