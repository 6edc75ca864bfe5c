#include "completion_job.hpp"

#include <ctime>
#include <random>

#include "api_error.hpp"
#include "generated_text.hpp"
#include "chat/output/tool_call_ids.hpp"

namespace rbee::host::server {
namespace {

using ordered_json = nlohmann::ordered_json;

std::string random_id(const char* prefix) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char digits[] = "0123456789abcdef";
  std::string id = prefix;
  for (int i = 0; i < 24; ++i) id += digits[rng() % 16];
  return id;
}

std::string dump(const ordered_json& j) { return j.dump(-1, ' ', false, ordered_json::error_handler_t::replace); }

}  // namespace

CompletionJob::CompletionJob(Setup setup, const Tokenizer& tokenizer, std::shared_ptr<Exchange> exchange,
                             std::function<void(const JobSummary&)> on_done)
    : setup_(std::move(setup)),
      tokenizer_(tokenizer),
      exchange_(std::move(exchange)),
      on_done_(std::move(on_done)),
      id_(random_id(setup_.request.chat ? "chatcmpl-" : "cmpl-")),
      created_(static_cast<int64_t>(std::time(nullptr))) {
  for (uint32_t i = 0; i < setup_.request.n; ++i) {
    auto c = std::make_unique<Choice>(Choice{.detokenizer = StreamingDetokenizer(tokenizer_),
                                             .stops = StopMatcher(setup_.request.stop)});
    // Tool-call ids repeat with the request's seed, like its text.
    if (setup_.format)
      c->parser.emplace(*setup_.format, setup_.request.seeded ? setup_.request.sampling.seed + i : chat::random_id_seed());
    choices_.push_back(std::move(c));
  }
}

void CompletionJob::start(Scheduler& scheduler) {
  // Events wait for the response's head: the engine may produce them before submit() returns.
  std::lock_guard lock(mutex_);
  for (size_t i = 0; i < choices_.size(); ++i) {
    GenerationRequest g{.prompt = setup_.prompt,
                        .sampling = setup_.request.sampling,
                        .max_tokens = setup_.max_tokens,
                        .logprobs = setup_.request.logprobs,
                        .top_logprobs = setup_.request.top_logprobs};
    if (setup_.request.seeded) g.sampling.seed += i;
    try {
      choices_[i]->id = scheduler.submit(std::move(g), [self = shared_from_this(), i](const GenerationEvent& e) {
        return self->on_event(i, e);
      });
    } catch (...) {
      for (size_t j = 0; j < i; ++j) scheduler.cancel(choices_[j]->id);
      refused_ = true;
      throw;
    }
  }
  if (!setup_.request.stream) return;
  exchange_->start_stream(200, "text/event-stream");
  if (setup_.request.chat)
    for (size_t i = 0; i < choices_.size(); ++i)
      send_event(chunk(i, {{"role", "assistant"}, {"content", ""}}, nullptr));
}

void CompletionJob::cancel(Scheduler& scheduler, Cancel why) {
  Cancel none = Cancel::None;
  cancelled_.compare_exchange_strong(none, why);
  std::lock_guard lock(mutex_);
  for (const auto& c : choices_)
    if (!c->finish_reason) scheduler.cancel(c->id);
}

bool CompletionJob::on_event(size_t index, const GenerationEvent& e) {
  std::lock_guard lock(mutex_);
  if (refused_) return false;
  Choice& c = *choices_[index];
  if (e.finish) {
    finish_choice(index, e);
    return false;
  }
  ++c.generated;
  if (!first_token_) first_token_ = e.time;
  if (setup_.request.logprobs) {
    TokenLogprobs t{tokenizer_.token_to_piece(e.token), e.logprob, {}};
    for (const TokenLogprob& top : e.top_logprobs) t.top.emplace_back(tokenizer_.token_to_piece(top.token), top.logprob);
    c.logprobs.push_back(std::move(t));
  }
  // Harmony's channels are control tokens: the parser reads their text.
  const bool harmony = setup_.format && setup_.format->harmony;
  const std::string text = c.stops.push(generated_text(tokenizer_, c.detokenizer, e.token, harmony));
  emit(index, text, c.stops.stopped());
  // A stop string ends the choice: the engine cancels it, and it finishes as "stop".
  return !c.stops.stopped() && cancelled_ == Cancel::None && !exchange_->client_gone();
}

void CompletionJob::emit(size_t index, const std::string& text, bool at_end) {
  Choice& c = *choices_[index];
  const bool stream = setup_.request.stream;
  if (!c.parser) {  // text completion
    if (!stream) c.text += text;
    else if (!text.empty()) send_event(chunk(index, text, nullptr));
    return;
  }
  chat::OutputDelta delta = c.parser->push(text);
  if (at_end) {
    chat::OutputDelta rest = c.parser->finish();
    delta.content += rest.content;
    delta.reasoning += rest.reasoning;
    for (auto& t : rest.tool_calls) delta.tool_calls.push_back(std::move(t));
  }
  c.any_tool_call |= !delta.tool_calls.empty();
  if (!stream) {
    c.output.add(delta);
    return;
  }
  if (delta.empty()) return;
  ordered_json d = ordered_json::object();
  if (!delta.reasoning.empty()) d["reasoning_content"] = delta.reasoning;
  if (!delta.content.empty()) d["content"] = delta.content;
  if (!delta.tool_calls.empty()) {
    ordered_json calls = ordered_json::array();
    for (const auto& t : delta.tool_calls) {
      ordered_json call = {{"index", t.index}};
      ordered_json function = ordered_json::object();
      if (!t.id.empty()) {
        call["id"] = t.id;
        call["type"] = "function";
      }
      if (!t.name.empty()) function["name"] = t.name;
      function["arguments"] = t.arguments;
      call["function"] = std::move(function);
      calls.push_back(std::move(call));
    }
    d["tool_calls"] = std::move(calls);
  }
  send_event(chunk(index, std::move(d), nullptr));
}

std::string CompletionJob::finish_reason(const Choice& c, FinishReason reason) const {
  if (c.stops.stopped()) return "stop";
  if (reason == FinishReason::Length || reason == FinishReason::Context) return "length";
  return c.any_tool_call ? "tool_calls" : "stop";
}

void CompletionJob::finish_choice(size_t index, const GenerationEvent& e) {
  Choice& c = *choices_[index];
  c.reused = e.reused_tokens;
  const FinishReason reason = *e.finish;
  if (reason == FinishReason::Error) {
    error_ = e.message;
  } else if (reason == FinishReason::Cancelled && !c.stops.stopped()) {
    // the client went or the server shuts down: complete() says which
  } else {
    if (c.stops.stopped()) {
      if (c.parser) emit(index, "", true);  // what the parser held back ends before the stop string
    } else {
      std::string text = c.stops.push(c.detokenizer.flush());
      if (!c.stops.stopped()) text += c.stops.finish();
      emit(index, text, true);
    }
    c.finish_reason = finish_reason(c, reason);
    if (setup_.request.stream) send_event(chunk(index, ordered_json::object(), c.finish_reason->c_str()));
  }
  if (!c.finish_reason) c.finish_reason = finish_reason_name(reason);
  if (++finished_ == choices_.size()) complete();
}

void CompletionJob::complete() {
  JobSummary s;
  s.prompt_tokens = static_cast<uint32_t>(setup_.prompt.size());
  for (const auto& c : choices_) {
    s.generated += c->generated;
    s.cached_tokens = std::max(s.cached_tokens, c->reused);
  }
  if (first_token_) s.first_token_seconds = std::chrono::duration<double>(*first_token_ - setup_.arrived).count();
  s.seconds = std::chrono::duration<double>(Clock::now() - setup_.arrived).count();
  s.finish = *choices_.front()->finish_reason;

  const Cancel cancelled = cancelled_;
  std::optional<ApiError> failure;
  if (cancelled == Cancel::ClientGone || exchange_->client_gone()) {
    s.status = 499;  // nginx's "client closed request"
    s.finish = "client gone";
  } else if (cancelled == Cancel::Shutdown) {
    failure.emplace(503, "shutting_down", "the server is shutting down; the request was cancelled");
  } else if (!error_.empty()) {
    failure.emplace(500, "engine_error", "generation failed: " + error_);
  }
  if (failure) {
    s.status = failure->status();
    s.finish = failure->what();
  }
  // Counted before the client has the reply: a scrape after it sees this request.
  finished_all_ = true;
  on_done_(s);

  if (setup_.request.stream) {
    if (failure) {
      exchange_->write("data: " + error_json(*failure) + "\n\n");
    } else if (setup_.request.include_usage) {
      ordered_json last = {{"id", id_},
                           {"object", setup_.request.chat ? "chat.completion.chunk" : "text_completion"},
                           {"created", created_},
                           {"model", setup_.model_id},
                           {"choices", ordered_json::array()},
                           {"usage", usage()}};
      send_event(last);
    }
    exchange_->write("data: [DONE]\n\n");
    exchange_->end();
  } else if (failure) {
    exchange_->respond(error_response(*failure));
  } else {
    ordered_json out = {{"id", id_},
                        {"object", setup_.request.chat ? "chat.completion" : "text_completion"},
                        {"created", created_},
                        {"model", setup_.model_id},
                        {"choices", ordered_json::array()}};
    for (size_t i = 0; i < choices_.size(); ++i) {
      const Choice& c = *choices_[i];
      ordered_json choice = {{"index", i}};
      if (setup_.request.chat) {
        ordered_json message = {{"role", "assistant"}};
        const bool calls = !c.output.tool_calls.empty();
        message["content"] = calls && c.output.content.empty() ? ordered_json(nullptr) : ordered_json(c.output.content);
        if (!c.output.reasoning.empty()) message["reasoning_content"] = c.output.reasoning;
        if (calls) {
          ordered_json list = ordered_json::array();
          for (const auto& t : c.output.tool_calls)
            list.push_back({{"id", t.id}, {"type", "function"}, {"function", {{"name", t.name}, {"arguments", t.arguments}}}});
          message["tool_calls"] = std::move(list);
        }
        choice["message"] = std::move(message);
      } else {
        choice["text"] = c.text;
      }
      choice["logprobs"] = take_logprobs(*choices_[i]);
      choice["finish_reason"] = *c.finish_reason;
      out["choices"].push_back(std::move(choice));
    }
    out["usage"] = usage();
    exchange_->respond({.status = 200, .body = dump(out)});
  }
}

ordered_json CompletionJob::chunk(size_t index, ordered_json delta, const char* finish) {
  ordered_json choice = {{"index", index}};
  if (setup_.request.chat) choice["delta"] = std::move(delta);
  else choice["text"] = delta.is_string() ? delta : ordered_json("");
  choice["logprobs"] = take_logprobs(*choices_[index]);
  choice["finish_reason"] = finish ? ordered_json(finish) : ordered_json(nullptr);
  ordered_json out = {{"id", id_},
                      {"object", setup_.request.chat ? "chat.completion.chunk" : "text_completion"},
                      {"created", created_},
                      {"model", setup_.model_id},
                      {"choices", ordered_json::array({std::move(choice)})}};
  if (setup_.request.include_usage) out["usage"] = nullptr;  // as OpenAI: only the last chunk has it
  return out;
}

ordered_json CompletionJob::take_logprobs(Choice& c) {
  if (!setup_.request.logprobs || c.logprobs.empty()) return nullptr;
  auto bytes = [](const std::string& text) {
    ordered_json b = ordered_json::array();
    for (unsigned char ch : text) b.push_back(ch);
    return b;
  };
  ordered_json out;
  if (setup_.request.chat) {
    ordered_json content = ordered_json::array();
    for (const TokenLogprobs& t : c.logprobs) {
      ordered_json top = ordered_json::array();
      for (const auto& [token, logprob] : t.top)
        top.push_back({{"token", token}, {"logprob", logprob}, {"bytes", bytes(token)}});
      content.push_back({{"token", t.token}, {"logprob", t.logprob}, {"bytes", bytes(t.token)}, {"top_logprobs", top}});
    }
    out = {{"content", std::move(content)}};
  } else {
    ordered_json tokens = ordered_json::array(), logprobs = ordered_json::array(), tops = ordered_json::array(),
                 offsets = ordered_json::array();
    for (const TokenLogprobs& t : c.logprobs) {
      tokens.push_back(t.token);
      logprobs.push_back(t.logprob);
      ordered_json top = ordered_json::object();
      for (const auto& [token, logprob] : t.top) top[token] = logprob;
      tops.push_back(std::move(top));
      offsets.push_back(c.text_offset);
      c.text_offset += t.token.size();
    }
    out = {{"tokens", tokens}, {"token_logprobs", logprobs}, {"top_logprobs", tops}, {"text_offset", offsets}};
  }
  c.logprobs.clear();
  return out;
}

ordered_json CompletionJob::usage() const {
  uint32_t generated = 0, cached = 0;
  for (const auto& c : choices_) {
    generated += c->generated;
    cached = std::max(cached, c->reused);
  }
  const auto prompt = static_cast<uint32_t>(setup_.prompt.size());
  return {{"prompt_tokens", prompt},
          {"completion_tokens", generated},
          {"total_tokens", prompt + generated},
          {"prompt_tokens_details", {{"cached_tokens", cached}}}};
}

void CompletionJob::send_event(const ordered_json& data) { exchange_->write("data: " + dump(data) + "\n\n"); }

}  // namespace rbee::host::server
