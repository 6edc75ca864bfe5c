#pragma once
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <stop_token>
#include <string>
#include <unordered_set>
#include <vector>

#include "engine/model.hpp"
#include "sampling/sampler.hpp"

namespace rbee {

// What one request asks for: max_tokens generated after prompt, each chosen by a Sampler of
// `sampling`; generation also ends at an end-of-generation token unless ignore_eos.
struct GenerationRequest {
  std::vector<int32_t> prompt;
  SamplerParams sampling;
  uint32_t max_tokens = 0;  // 0: the request finishes at once (length) without running
  bool ignore_eos = false;
  // Each token's log probability under the model (the log-softmax of its raw logits, before
  // penalties and temperature), and the top_logprobs most likely tokens' (OpenAI's logprobs).
  // Steps with such a request read whole rows of logits back.
  bool logprobs = false;
  uint32_t top_logprobs = 0;
};

struct TokenLogprob {
  int32_t token = -1;
  float logprob = 0;
};

using RequestId = uint64_t;

enum class FinishReason {
  Length,     // max_tokens generated
  Stop,       // an end-of-generation token (not delivered as a token)
  Context,    // the sequence's context, or the whole KV pool, is full
  Cancelled,  // cancel(), the callback returned false, or the scheduler was destroyed
  Error,      // the model failed; GenerationEvent::message says how
};
// "length", "stop", "context", "cancelled", "error".
const char* finish_reason_name(FinishReason reason);

// What a request's callback gets: a generated token (token >= 0, no finish), or the final event
// (finish set, token -1), exactly one per request.
struct GenerationEvent {
  using Clock = std::chrono::steady_clock;
  RequestId request = 0;
  int32_t token = -1;
  std::optional<FinishReason> finish;
  // With GenerationRequest::logprobs, of a generated token: its log probability, and the most
  // likely tokens', best first.
  float logprob = 0;
  std::vector<TokenLogprob> top_logprobs;
  std::string message;          // with FinishReason::Error: what failed
  uint32_t prompt_tokens = 0;   // the request's prompt
  uint32_t reused_tokens = 0;   // positions of it the prefix cache supplied (at its last admission)
  uint32_t generated = 0;       // tokens generated so far, this one included
  Clock::time_point submitted;  // when submit() took the request
  Clock::time_point first_token;  // when its first token was sampled (submitted until then)
  Clock::time_point time;       // of this event
};

// Returns false to cancel the request (its final event, cancelled, still follows); the value
// returned for the final event is ignored. Runs on the thread that runs the scheduler.
using GenerationCallback = std::function<bool(const GenerationEvent&)>;

struct SchedulerOptions {
  // Prompt tokens one step evaluates at most, beside one token of every decoding sequence
  // (chunked prefill: a long prompt runs this many tokens a step and does not stall the
  // others); 0: model.max_batch(). A step never exceeds model.max_batch() tokens.
  uint32_t chunk = 0;
};

struct SchedulerStats {
  uint32_t running = 0;  // requests holding a sequence of the model
  uint32_t waiting = 0;  // submitted (or preempted) requests waiting for a sequence
  uint64_t steps = 0;    // model steps run
  uint64_t tokens_generated = 0;
  uint64_t prompt_tokens_evaluated = 0;  // prompt positions stepped (re-evaluations after preemption too)
  uint64_t prompt_tokens_reused = 0;     // prompt positions the prefix cache supplied
  uint64_t preemptions = 0;
  uint64_t finished = 0;  // requests that had their final event
  // The paged KV pool after the last step (all 0 for a model without paged layers).
  uint32_t kv_blocks_total = 0;
  uint32_t kv_blocks_free = 0;    // free or holding an unused cached prefix
  uint32_t kv_blocks_cached = 0;  // of the free ones, those holding a cached prefix
};

// Serves many generation requests on one Model with continuous batching: each step() runs one
// token of every decoding sequence, then chunks of prompts (admitted requests first, then the
// waiting ones, first come first served) up to the chunk budget, as one Model::step. A waiting
// request takes a sequence when one is free and the KV pool has the blocks of its next chunk.
// When the decoding sequences need more blocks than are free, the most recently admitted
// running request is preempted: its sequence closed, it waits again at the front of the queue
// with its prompt and generated tokens as the prompt to evaluate (and its sampler as it was), so
// its tokens are those it would have had otherwise. A sequence that can no longer grow alone
// finishes with FinishReason::Context. Finished requests close their sequence at once.
//
// The scheduler takes over the model's sequences (it closes those open at construction) and
// the model must outlive it. submit(), cancel() and stats() may be called from any thread;
// step(), run() and run_until_idle() from one thread at a time, which runs the callbacks.
// The destructor finishes the requests left with FinishReason::Cancelled.
class Scheduler {
 public:
  explicit Scheduler(Model& model, SchedulerOptions options = {});
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Queues a request. Throws std::invalid_argument, naming the numbers, for one that could never
  // run: an empty prompt, one of the model's context or longer, one needing more KV blocks than
  // the whole pool, token ids outside the vocabulary.
  RequestId submit(GenerationRequest request, GenerationCallback callback);
  // Cancels a request at the next step; false when it has already finished (or never existed).
  bool cancel(RequestId id);

  // One step of the model (see the class comment); delivers the events of the tokens it
  // produced. Returns whether requests remain unfinished.
  bool step();
  // step() until no request is left.
  void run_until_idle();
  // step() while requests remain, sleeping while none does, until stop is requested (requests
  // still queued then stay queued for a later run()).
  void run(std::stop_token stop);

  SchedulerStats stats() const;
  const Model& model() const { return model_; }
  uint32_t chunk() const { return chunk_; }

 private:
  struct Request;
  using Clock = GenerationEvent::Clock;

  // Moves submitted requests and cancellations into the scheduler's own lists.
  void take_incoming();
  // Plans one step; preempts or finishes requests until the plan can run. Returns its entries.
  struct Planned;
  std::vector<Planned> plan();
  void admit(Request& r);
  void preempt(Request& r);
  // Gives the request its final event, closes its sequence and forgets it.
  void finish(Request& r, FinishReason reason, std::string message = {});
  // A sampled token: the stop, emit, length and context checks.
  void on_token(Request& r, int32_t token, std::span<const float> row = {});
  // Calls the callback; false when it asks to cancel (or throws).
  bool deliver(Request& r, const GenerationEvent& e);
  GenerationEvent event(const Request& r) const;
  // Removes finished requests from running_ and waiting_.
  void sweep();
  // Blocks a sequence of n positions takes in the paged layers (0 where there are none).
  uint32_t blocks_for(uint64_t n) const;
  // The largest n <= want whose blocks fit in `free`.
  uint32_t fit(SequenceId seq, uint32_t want, uint32_t free) const;
  void publish_stats();

  Model& model_;
  uint32_t chunk_;
  bool paged_;
  uint32_t total_blocks_;

  // Owned by the thread that steps.
  std::vector<std::unique_ptr<Request>> running_;  // in admission order
  std::deque<std::unique_ptr<Request>> waiting_;
  uint64_t admissions_ = 0;
  SchedulerStats counters_;

  // Shared with submit() and cancel().
  mutable std::mutex mutex_;
  std::condition_variable_any wake_;
  std::vector<std::unique_ptr<Request>> incoming_;
  std::vector<RequestId> cancels_;
  std::unordered_set<RequestId> live_;
  RequestId next_id_ = 1;
  SchedulerStats published_;
};

}  // namespace rbee
