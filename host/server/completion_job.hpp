#pragma once
// One chat or text completion request while the engine runs it: its n choices, each a
// Scheduler request, turned from tokens into text (stop strings applied, and for chat the
// reasoning and tool calls parsed) and into OpenAI's response: one JSON at the end, or
// server-sent events as tokens come.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "chat/output/output_parser.hpp"
#include "completion_request.hpp"
#include "engine/scheduler.hpp"
#include "http_server.hpp"
#include "stop_matcher.hpp"
#include "tokenizer/streaming_detokenizer.hpp"

namespace rbee::host::server {

// What a finished job tells the server (metrics and its log line).
struct JobSummary {
  unsigned status = 200;
  uint32_t prompt_tokens = 0, cached_tokens = 0, generated = 0;
  std::optional<double> first_token_seconds;  // from the request's arrival
  double seconds = 0;
  std::string finish;  // the first choice's finish reason, or what failed
};

class CompletionJob : public std::enable_shared_from_this<CompletionJob> {
 public:
  using Clock = std::chrono::steady_clock;
  struct Setup {
    CompletionRequest request;
    std::vector<int32_t> prompt;
    std::optional<chat::OutputFormat> format;  // chat: how to read the output
    std::string model_id;
    uint32_t max_tokens = 0;
    Clock::time_point arrived;
  };

  CompletionJob(Setup setup, const Tokenizer& tokenizer, std::shared_ptr<Exchange> exchange,
                std::function<void(const JobSummary&)> on_done);

  // Submits the choices (streaming: sends the response's head first). Throws what
  // Scheduler::submit throws, having submitted nothing.
  void start(Scheduler& scheduler);
  // Cancels the choices still running: the client went (nothing more is sent), or the server
  // shuts down (the client is told so). Any thread.
  enum class Cancel { None, ClientGone, Shutdown };
  void cancel(Scheduler& scheduler, Cancel why);
  // Its reply is complete.
  bool finished() const { return finished_all_; }

 private:
  // A generated token's log probability and the likeliest tokens' (by their text).
  struct TokenLogprobs {
    std::string token;
    float logprob = 0;
    std::vector<std::pair<std::string, float>> top;
  };
  struct Choice {
    RequestId id = 0;
    StreamingDetokenizer detokenizer;
    StopMatcher stops;
    std::optional<chat::OutputParser> parser;
    chat::ParsedOutput output;  // chat, not streamed
    std::string text;           // completions, not streamed
    std::optional<std::string> finish_reason;
    uint32_t generated = 0, reused = 0;
    bool any_tool_call = false;
    std::vector<TokenLogprobs> logprobs;  // not yet sent (streamed), or all
    size_t text_offset = 0;               // completions' text_offset of the next token
  };

  // Engine thread.
  bool on_event(size_t index, const GenerationEvent& e);
  // Text certain to be output (after stop strings): parsed, then sent or kept.
  void emit(size_t index, const std::string& text, bool at_end);
  void finish_choice(size_t index, const GenerationEvent& e);
  void complete();

  // A streamed chunk of one choice, carrying the log probabilities not yet sent.
  nlohmann::ordered_json chunk(size_t index, nlohmann::ordered_json delta, const char* finish);
  // OpenAI's logprobs object of a choice's entries (chat: content; completions: tokens,
  // token_logprobs, top_logprobs, text_offset), and clears them; null when not asked for.
  nlohmann::ordered_json take_logprobs(Choice& c);
  nlohmann::ordered_json usage() const;
  void send_event(const nlohmann::ordered_json& data);
  std::string finish_reason(const Choice& c, FinishReason reason) const;

  Setup setup_;
  const Tokenizer& tokenizer_;
  std::shared_ptr<Exchange> exchange_;
  std::function<void(const JobSummary&)> on_done_;
  std::string id_;
  int64_t created_;
  std::vector<std::unique_ptr<Choice>> choices_;
  size_t finished_ = 0;
  std::atomic<bool> finished_all_{false};
  std::optional<Clock::time_point> first_token_;
  std::atomic<Cancel> cancelled_{Cancel::None};
  // Held by start() while it submits, and by every event: no event is handled before the
  // response's head is sent.
  std::mutex mutex_;
  bool refused_ = false;  // start() threw: events of choices it had submitted are ignored
  std::string error_;          // an engine failure
};

}  // namespace rbee::host::server
