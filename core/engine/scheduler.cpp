#include "engine/scheduler.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "sampling/logit_check.hpp"

namespace rbee {

const char* finish_reason_name(FinishReason reason) {
  switch (reason) {
    case FinishReason::Length: return "length";
    case FinishReason::Stop: return "stop";
    case FinishReason::Context: return "context";
    case FinishReason::Cancelled: return "cancelled";
    case FinishReason::Error: return "error";
  }
  return "?";
}

struct Scheduler::Request {
  Request(RequestId id, GenerationRequest req, GenerationCallback cb, size_t n_vocab)
      : id(id), request(std::move(req)), callback(std::move(cb)), sampler(request.sampling, n_vocab), tokens(request.prompt) {}

  RequestId id;
  GenerationRequest request;
  GenerationCallback callback;
  Sampler sampler;              // has accepted the prompt and every generated token
  std::vector<int32_t> tokens;  // what its sequence is to hold: the prompt, after a preemption with the generated tokens
  std::vector<int32_t> generated;
  std::optional<SequenceId> seq;  // while running
  uint32_t done = 0;              // positions of tokens in the sequence
  int32_t pending = -1;           // a sampled token its sequence has still to run: decoding
  uint64_t admitted = 0;          // admission order
  uint32_t reused = 0;
  bool finished = false;
  Clock::time_point submitted, first_token;
};

// One entry of a step: a decoding request's pending token, or tokens [begin, begin + count) of
// a prefilling one (output: the prompt's last chunk).
struct Scheduler::Planned {
  Request* request;
  bool decode;
  uint32_t begin = 0, count = 1;
  bool output = true;
};

Scheduler::Scheduler(Model& model, SchedulerOptions options)
    : model_(model),
      chunk_(options.chunk ? std::min(options.chunk, model.max_batch()) : model.max_batch()),
      paged_(model.kv_cache().has_paged_layers()),
      total_blocks_(model.kv_cache().blocks()) {
  if (model.max_sequences() > model.max_batch())
    throw std::invalid_argument("scheduler: the model holds " + std::to_string(model.max_sequences()) +
                                " sequences, more than its batch of " + std::to_string(model.max_batch()) +
                                " tokens (every decoding sequence takes a token of each step)");
  // The scheduler manages every sequence: close those open (sequence 0 is from the start).
  for (SequenceId s = 0; s < model.max_sequences(); ++s)
    if (model.is_open(s)) model.close_sequence(s);
  publish_stats();
}

Scheduler::~Scheduler() {
  take_incoming();
  for (auto& r : running_) finish(*r, FinishReason::Cancelled);
  for (auto& r : waiting_) finish(*r, FinishReason::Cancelled);
}

uint32_t Scheduler::blocks_for(uint64_t n) const {
  return paged_ ? static_cast<uint32_t>((n + KvCache::kBlockRows - 1) / KvCache::kBlockRows) : 0;
}

RequestId Scheduler::submit(GenerationRequest request, GenerationCallback callback) {
  const auto& p = request.prompt;
  if (p.empty()) throw std::invalid_argument("scheduler: the prompt is empty");
  if (p.size() >= model_.context())
    throw std::invalid_argument("scheduler: a prompt of " + std::to_string(p.size()) +
                                " tokens leaves no room to generate in the context of " +
                                std::to_string(model_.context()) + " tokens");
  for (size_t i = 0; i < p.size(); ++i)
    if (p[i] < 0 || static_cast<uint32_t>(p[i]) >= model_.n_vocab())
      throw std::invalid_argument("scheduler: token id " + std::to_string(p[i]) + " at position " + std::to_string(i) +
                                  " of the prompt is outside the vocabulary (0.." + std::to_string(model_.n_vocab() - 1) +
                                  ")");
  if (blocks_for(p.size()) > total_blocks_)
    throw std::invalid_argument("scheduler: a prompt of " + std::to_string(p.size()) + " tokens needs " +
                                std::to_string(blocks_for(p.size())) + " KV blocks of " +
                                std::to_string(KvCache::kBlockRows) + " positions, more than the pool's " +
                                std::to_string(total_blocks_));
  const auto now = Clock::now();
  std::unique_lock lock(mutex_);
  const RequestId id = next_id_++;
  lock.unlock();
  auto r = std::make_unique<Request>(id, std::move(request), std::move(callback), model_.n_vocab());
  for (int32_t t : r->tokens) r->sampler.accept(t);
  r->submitted = r->first_token = now;
  lock.lock();
  live_.insert(id);
  incoming_.push_back(std::move(r));
  lock.unlock();
  wake_.notify_all();
  return id;
}

bool Scheduler::cancel(RequestId id) {
  {
    std::lock_guard lock(mutex_);
    if (!live_.contains(id)) return false;
    cancels_.push_back(id);
  }
  wake_.notify_all();
  return true;
}

SchedulerStats Scheduler::stats() const {
  std::lock_guard lock(mutex_);
  SchedulerStats s = published_;
  s.waiting += static_cast<uint32_t>(incoming_.size());
  return s;
}

void Scheduler::publish_stats() {
  SchedulerStats s = counters_;
  s.running = static_cast<uint32_t>(running_.size());
  s.waiting = static_cast<uint32_t>(waiting_.size());
  if (paged_) {
    s.kv_blocks_total = total_blocks_;
    s.kv_blocks_free = model_.free_blocks();
    s.kv_blocks_cached = model_.cached_blocks();
  }
  std::lock_guard lock(mutex_);
  published_ = s;
}

void Scheduler::take_incoming() {
  std::vector<std::unique_ptr<Request>> incoming;
  std::vector<RequestId> cancels;
  {
    std::lock_guard lock(mutex_);
    incoming.swap(incoming_);
    cancels.swap(cancels_);
  }
  for (auto& r : incoming) {
    waiting_.push_back(std::move(r));
    if (waiting_.back()->request.max_tokens == 0) finish(*waiting_.back(), FinishReason::Length);
  }
  for (RequestId id : cancels) {
    auto match = [id](const std::unique_ptr<Request>& r) { return r->id == id; };
    if (auto it = std::find_if(running_.begin(), running_.end(), match); it != running_.end())
      finish(**it, FinishReason::Cancelled);
    else if (auto w = std::find_if(waiting_.begin(), waiting_.end(), match); w != waiting_.end())
      finish(**w, FinishReason::Cancelled);
  }
}

void Scheduler::sweep() {
  auto done = [](const std::unique_ptr<Request>& r) { return r->finished; };
  std::erase_if(running_, done);
  std::erase_if(waiting_, done);
}

GenerationEvent Scheduler::event(const Request& r) const {
  GenerationEvent e;
  e.request = r.id;
  e.prompt_tokens = static_cast<uint32_t>(r.request.prompt.size());
  e.reused_tokens = r.reused;
  e.generated = static_cast<uint32_t>(r.generated.size());
  e.submitted = r.submitted;
  e.first_token = r.first_token;
  e.time = Clock::now();
  return e;
}

bool Scheduler::deliver(Request& r, const GenerationEvent& e) {
  if (!r.callback) return true;
  try {
    return r.callback(e);
  } catch (const std::exception& ex) {
    spdlog::warn("scheduler: the callback of request {} threw: {}", r.id, ex.what());
  } catch (...) {
    spdlog::warn("scheduler: the callback of request {} threw", r.id);
  }
  return false;
}

void Scheduler::finish(Request& r, FinishReason reason, std::string message) {
  if (r.finished) return;
  r.finished = true;
  if (r.seq) {
    model_.close_sequence(*r.seq);
    r.seq.reset();
  }
  ++counters_.finished;
  {
    std::lock_guard lock(mutex_);
    live_.erase(r.id);
  }
  GenerationEvent e = event(r);
  e.finish = reason;
  e.message = std::move(message);
  deliver(r, e);
}

void Scheduler::admit(Request& r) {
  // r is waiting_.front().
  const SequenceId seq = model_.open_sequence();
  r.seq = seq;
  r.reused = model_.reuse_prefix(seq, r.tokens);
  r.done = r.reused;
  counters_.prompt_tokens_reused += r.reused;
  r.admitted = ++admissions_;
  running_.push_back(std::move(waiting_.front()));
  waiting_.pop_front();
}

void Scheduler::preempt(Request& r) {
  // r is running_.back(): the most recently admitted.
  model_.close_sequence(*r.seq);
  r.seq.reset();
  r.tokens = r.request.prompt;
  r.tokens.insert(r.tokens.end(), r.generated.begin(), r.generated.end());
  r.done = 0;
  r.pending = -1;
  r.reused = 0;
  ++counters_.preemptions;
  spdlog::debug("scheduler: preempted request {} ({} tokens to evaluate again)", r.id, r.tokens.size());
  auto owned = std::move(running_.back());
  running_.pop_back();
  waiting_.push_front(std::move(owned));
  if (blocks_for(r.tokens.size()) > total_blocks_) finish(r, FinishReason::Context);
}

uint32_t Scheduler::fit(SequenceId seq, uint32_t want, uint32_t free) const {
  if (model_.blocks_needed(seq, want) <= free) return want;
  uint32_t lo = 0, hi = want;  // blocks_needed(lo) fits, blocks_needed(hi) does not
  while (hi - lo > 1) {
    const uint32_t mid = lo + (hi - lo) / 2;
    (model_.blocks_needed(seq, mid) <= free ? lo : hi) = mid;
  }
  return lo;
}

std::vector<Scheduler::Planned> Scheduler::plan() {
  bool preempted = false;
  for (;;) {
    sweep();
    // Blocks this plan has promised so far. The pool is read again after each admission:
    // reuse_prefix() may take cached blocks from it.
    uint32_t reserved = 0;
    auto available = [&] {
      const uint32_t free = model_.free_blocks();
      return free > reserved ? free - reserved : 0u;
    };
    // The decoding sequences' next tokens first: preempt the latest admitted until they fit.
    for (const auto& r : running_)
      if (r->pending >= 0) reserved += model_.blocks_needed(*r->seq, 1);
    if (reserved > model_.free_blocks()) {
      if (running_.size() > 1) {
        preempt(*running_.back());
        preempted = true;
      } else {
        finish(*running_.front(), FinishReason::Context);
      }
      continue;
    }

    std::vector<Planned> out;
    uint32_t budget = model_.max_batch();
    for (const auto& r : running_)
      if (r->pending >= 0) {
        out.push_back({r.get(), true});
        --budget;
      }
    uint32_t prompt_budget = std::min(chunk_, budget);
    // Chunks of the admitted prompts, in admission order.
    for (const auto& r : running_) {
      if (r->pending >= 0 || prompt_budget == 0) continue;
      const uint32_t want = std::min<uint32_t>(prompt_budget, static_cast<uint32_t>(r->tokens.size()) - r->done);
      const uint32_t n = fit(*r->seq, want, available());
      if (n == 0) continue;
      reserved += model_.blocks_needed(*r->seq, n);
      prompt_budget -= n;
      out.push_back({r.get(), false, r->done, n, r->done + n == r->tokens.size()});
    }
    // Then the waiting requests, first come first served, while a sequence and the blocks of
    // their next chunk are free (not in a step that had to preempt: the blocks freed are for
    // the sequences that go on).
    while (!preempted && prompt_budget > 0 && !waiting_.empty() && model_.open_sequences() < model_.max_sequences()) {
      Request& r = *waiting_.front();
      if (blocks_for(std::min<uint64_t>(prompt_budget, r.tokens.size())) > available()) break;
      admit(r);
      const uint32_t want = std::min<uint32_t>(prompt_budget, static_cast<uint32_t>(r.tokens.size()) - r.done);
      const uint32_t n = fit(*r.seq, want, available());
      if (n == 0) {  // the blocks reuse_prefix() took leave none for the rest: wait again
        model_.close_sequence(*r.seq);
        r.seq.reset();
        r.done = r.reused = 0;
        waiting_.push_front(std::move(running_.back()));
        running_.pop_back();
        break;
      }
      reserved += model_.blocks_needed(*r.seq, n);
      prompt_budget -= n;
      out.push_back({&r, false, r.done, n, r.done + n == r.tokens.size()});
    }
    if (!out.empty()) return out;
    if (running_.size() > 1) {  // prompts hold the blocks and none can go on: make room
      preempt(*running_.back());
      preempted = true;
      continue;
    }
    if (running_.size() == 1) {
      finish(*running_.front(), FinishReason::Context, "the KV cache pool cannot hold the sequence");
      continue;
    }
    if (!waiting_.empty() && !preempted) {  // nothing runs and the first in line cannot start
      finish(*waiting_.front(), FinishReason::Error,
             "no sequence or KV blocks for the request with nothing else running (" +
                 std::to_string(model_.open_sequences()) + " of " + std::to_string(model_.max_sequences()) +
                 " sequences open, " + std::to_string(model_.free_blocks()) + " free blocks)");
      continue;
    }
    if (waiting_.empty()) return out;
    preempted = false;  // everything preempted is waiting now: admit it again
  }
}

namespace {

// The log-softmax of a row at token, and the n best tokens' (best first, lower id first among equals).
void add_logprobs(GenerationEvent& e, std::span<const float> row, int32_t token, uint32_t n) {
  const float max = *std::max_element(row.begin(), row.end());
  double sum = 0;
  for (float x : row) sum += std::exp(double(x) - max);
  const double log_z = max + std::log(sum);
  e.logprob = static_cast<float>(row[token] - log_z);
  n = std::min<uint32_t>(n, static_cast<uint32_t>(row.size()));
  std::vector<int32_t> ids(row.size());
  std::iota(ids.begin(), ids.end(), 0);
  auto better = [&](int32_t a, int32_t b) { return row[a] > row[b] || (row[a] == row[b] && a < b); };
  std::partial_sort(ids.begin(), ids.begin() + n, ids.end(), better);
  for (uint32_t i = 0; i < n; ++i) e.top_logprobs.push_back({ids[i], static_cast<float>(row[ids[i]] - log_z)});
}

}  // namespace

void Scheduler::on_token(Request& r, int32_t token, std::span<const float> row) {
  if (!r.request.ignore_eos && model_.tokenizer().is_end_of_generation(token)) {
    finish(r, FinishReason::Stop);
    return;
  }
  r.sampler.accept(token);
  r.generated.push_back(token);
  ++counters_.tokens_generated;
  if (r.generated.size() == 1) r.first_token = Clock::now();
  GenerationEvent e = event(r);
  e.token = token;
  if (r.request.logprobs && !row.empty()) add_logprobs(e, row, token, r.request.top_logprobs);
  if (!deliver(r, e)) {
    finish(r, FinishReason::Cancelled);
  } else if (r.generated.size() >= r.request.max_tokens) {
    finish(r, FinishReason::Length);
  } else if (model_.n_past(*r.seq) >= model_.context()) {
    finish(r, FinishReason::Context);
  } else {
    r.pending = token;
  }
}

bool Scheduler::step() {
  take_incoming();
  sweep();
  std::vector<Planned> planned;
  if (!running_.empty() || !waiting_.empty()) planned = plan();
  sweep();
  if (planned.empty()) {
    publish_stats();
    return !running_.empty() || !waiting_.empty();
  }

  std::vector<int32_t> decode_ids(planned.size());
  std::vector<SequenceStep> batch;
  batch.reserve(planned.size());
  uint32_t k = 0;
  bool top = true, outputs = false;
  for (size_t i = 0; i < planned.size(); ++i) {
    const Planned& p = planned[i];
    Request& r = *p.request;
    if (p.decode) {
      decode_ids[i] = r.pending;
      batch.push_back({*r.seq, std::span<const int32_t>(&decode_ids[i], 1), true});
    } else {
      batch.push_back({*r.seq, std::span<const int32_t>(r.tokens).subspan(p.begin, p.count), p.output});
    }
    if (!p.output) continue;
    outputs = true;
    const uint32_t c = r.request.logprobs ? 0 : r.sampler.candidates_needed(CompiledGraph::kMaxTopK);
    if (c == 0) top = false;
    k = std::max(k, c);
  }

  std::vector<std::vector<TopLogit>> tops;
  std::vector<float> logits;
  try {
    if (outputs && top) tops = model_.step_top(batch, k);
    else logits = model_.step(batch);
  } catch (const KvCacheFull& e) {
    // The plan fitted the free blocks: not expected. Make room and plan again.
    spdlog::warn("scheduler: {}", e.what());
    if (running_.size() > 1) preempt(*running_.back());
    else if (!running_.empty()) finish(*running_.front(), FinishReason::Context, e.what());
    sweep();
    publish_stats();
    return !running_.empty() || !waiting_.empty();
  } catch (const std::exception& e) {
    for (const Planned& p : planned) finish(*p.request, FinishReason::Error, e.what());
    sweep();
    publish_stats();
    return !running_.empty() || !waiting_.empty();
  }
  ++counters_.steps;

  const uint32_t vocab = model_.n_vocab();
  size_t output = 0;
  for (const Planned& p : planned) {
    Request& r = *p.request;
    if (p.decode) {
      r.pending = -1;
    } else {
      r.done += p.count;
      counters_.prompt_tokens_evaluated += p.count;
    }
    if (!p.output) continue;
    const size_t row = output++;
    if (r.finished) continue;
    try {
      if (top) {
        const uint32_t c = r.sampler.candidates_needed(CompiledGraph::kMaxTopK);
        std::vector<Candidate> best;
        best.reserve(c);
        for (uint32_t i = 0; i < c && i < tops[row].size(); ++i) best.push_back({tops[row][i].id, tops[row][i].logit});
        on_token(r, r.sampler.sample_top(best));
      } else {
        const std::span<const float> logits_row = std::span<const float>(logits).subspan(row * vocab, vocab);
        on_token(r, r.sampler.sample(logits_row), logits_row);
      }
    } catch (const BadLogits& e) {
      // This request fails; the others of the batch carry on.
      finish(r, FinishReason::Error,
             model_.source().path().string() + ": " + e.what() + " (a broken weight or hyperparameter)");
    }
  }
  sweep();
  publish_stats();
  return !running_.empty() || !waiting_.empty();
}

void Scheduler::run_until_idle() {
  while (step()) {
  }
}

void Scheduler::run(std::stop_token stop) {
  while (!stop.stop_requested()) {
    {
      std::unique_lock lock(mutex_);
      // running_ and waiting_ belong to this thread: reading them under the lock is safe.
      if (running_.empty() && waiting_.empty())
        wake_.wait(lock, stop, [this] { return !incoming_.empty() || !cancels_.empty(); });
    }
    if (stop.stop_requested()) break;
    step();
  }
}

}  // namespace rbee
