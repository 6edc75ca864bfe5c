#include "chat_session.hpp"

#include <algorithm>
#include <chrono>

#include "chat/output/output_parser.hpp"
#include "server/generated_text.hpp"
#include "tokenizer/streaming_detokenizer.hpp"

namespace rbee::host {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

bool is_system(const nlohmann::ordered_json& message) { return message.value("role", "") == "system"; }

}  // namespace

ChatSession::ChatSession(Model& model, const chat::ChatTemplate& chat_template, SamplerParams sampling,
                         int max_answer_tokens)
    : model_(model), template_(chat_template), sampler_(sampling, model.n_vocab()), max_answer_tokens_(max_answer_tokens) {
  model_.reset();
}

int32_t ChatSession::evaluate_prompt(const std::vector<int32_t>& prompt, Turn& turn) {
  size_t shared = std::mismatch(cached_.begin(), cached_.end(), prompt.begin(), prompt.end()).first - cached_.begin();
  shared = std::min(shared, prompt.size() - 1);  // the last token is evaluated again for its logits
  if (!model_.truncate(static_cast<uint32_t>(shared))) shared = 0;
  cached_.assign(prompt.begin(), prompt.end());
  turn.reused_tokens = shared;

  sampler_.reset();
  for (int32_t id : prompt) sampler_.accept(id);
  auto t0 = std::chrono::steady_clock::now();
  int32_t next = next_token(model_, sampler_, std::span(prompt).subspan(shared));
  turn.prompt_seconds = seconds_since(t0);
  return next;
}

ChatSession::Turn ChatSession::reply(const std::string& user_text, Listener& listener,
                                     const std::atomic<bool>& interrupted) {
  const Tokenizer& tok = model_.tokenizer();
  nlohmann::ordered_json conversation = messages_;
  conversation.push_back({{"role", "user"}, {"content", user_text}});
  // As transformers' apply_chat_template(tokenize=True): the template writes the special tokens.
  std::string rendered = template_.render(conversation, nullptr, true);
  std::vector<int32_t> prompt = tok.encode(rendered, false, true);
  if (prompt.empty()) throw std::runtime_error("the chat template rendered this conversation as no tokens");
  if (prompt.size() >= model_.context())
    throw ContextFullError("the conversation is " + std::to_string(prompt.size()) + " tokens and the context holds " +
                           std::to_string(model_.context()) + " (--ctx)");
  messages_ = std::move(conversation);
  listener.prompt(rendered);
  // Harmony's channels are control tokens: their text is what tells reasoning from the answer.
  const bool harmony = template_.output_format(rendered).harmony;

  Turn turn;
  turn.prompt_tokens = prompt.size();
  int32_t id = evaluate_prompt(prompt, turn);

  StreamingDetokenizer detok(tok);
  auto t1 = std::chrono::steady_clock::now();
  while (true) {
    if (tok.is_end_of_generation(id)) break;
    if (interrupted) { turn.stop = Stop::Interrupted; break; }
    if (max_answer_tokens_ >= 0 && turn.generated_tokens >= size_t(max_answer_tokens_)) { turn.stop = Stop::AnswerLimit; break; }
    if (model_.n_past() >= model_.context()) { turn.stop = Stop::ContextFull; break; }
    sampler_.accept(id);
    ++turn.generated_tokens;
    std::string text = generated_text(tok, detok, id, harmony);
    turn.answer += text;
    listener.text(text);
    cached_.push_back(id);
    id = next_token(model_, sampler_, std::span<const int32_t>(&id, 1));
  }
  std::string rest = detok.flush();
  turn.answer += rest;
  listener.text(rest);
  turn.generation_seconds = seconds_since(t1);
  // A harmony answer joins as its final text (a template renders the channels itself, and
  // drops earlier turns' reasoning).
  const std::string kept = harmony ? chat::parse_output(turn.answer, template_.output_format(rendered)).content : turn.answer;
  messages_.push_back({{"role", "assistant"}, {"content", kept}});
  return turn;
}

void ChatSession::reset() {
  nlohmann::ordered_json kept = nlohmann::ordered_json::array();
  if (!messages_.empty() && is_system(messages_[0])) kept.push_back(messages_[0]);
  messages_ = std::move(kept);
}

void ChatSession::set_system(const std::string& text) {
  if (!messages_.empty() && is_system(messages_[0])) messages_.erase(messages_.begin());
  if (!text.empty()) messages_.insert(messages_.begin(), {{"role", "system"}, {"content", text}});
}

void ChatSession::set_messages(nlohmann::ordered_json messages) {
  chat::validate_messages(messages);
  messages_ = std::move(messages);
}

}  // namespace rbee::host
