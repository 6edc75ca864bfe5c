// The Scheduler (engine/scheduler.hpp): requests served together, with continuous batching,
// chunked prefill and preemption, get exactly the tokens each gets alone on a single-sequence
// Model (the next_token loop of `rbee run`); finished and cancelled requests give their
// sequence and KV blocks back; run() serves requests submitted from other threads.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <fstream>
#include <limits>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "engine/next_token.hpp"
#include "engine/scheduler.hpp"
#include "formats/gguf.hpp"
#include "models/model_test_util.hpp"

namespace rbee::test {
namespace {

SamplerParams greedy() {
  SamplerParams s;
  s.temperature = 0;
  return s;
}

GenerationRequest request(std::vector<int32_t> ids, uint32_t max_tokens, SamplerParams sampling = greedy()) {
  return GenerationRequest{.prompt = std::move(ids), .sampling = sampling, .max_tokens = max_tokens};
}

// What `rbee run` generates for the request on a model of one sequence (reset first).
std::vector<int32_t> alone(Model& model, const GenerationRequest& r) {
  model.reset();
  Sampler sampler(r.sampling, model.n_vocab());
  for (int32_t id : r.prompt) sampler.accept(id);
  std::vector<int32_t> out;
  int32_t id = next_token(model, sampler, r.prompt);
  for (uint32_t i = 0; i < r.max_tokens; ++i) {
    if (!r.ignore_eos && model.tokenizer().is_end_of_generation(id)) break;
    sampler.accept(id);
    out.push_back(id);
    if (i + 1 == r.max_tokens || model.n_past() >= model.context()) break;
    id = next_token(model, sampler, std::span<const int32_t>(&id, 1));
  }
  return out;
}

// The events of one request, gathered by its callback.
struct Outcome {
  std::vector<int32_t> tokens;
  std::optional<FinishReason> finish;
  std::string message;
  uint32_t reused = 0;
  int finals = 0;
  bool token_after_final = false;
};

// Events of every request a scheduler serves, by submission order. Thread-safe.
struct Outcomes {
  std::mutex mutex;
  std::condition_variable finished;
  std::map<size_t, Outcome> of;

  GenerationCallback callback(size_t index, std::function<bool(const Outcome&)> go_on = {}) {
    return [this, index, go_on](const GenerationEvent& e) {
      std::lock_guard lock(mutex);
      Outcome& o = of[index];
      if (o.finals) o.token_after_final = true;
      if (e.finish) {
        o.finish = e.finish;
        o.message = e.message;
        o.reused = e.reused_tokens;
        ++o.finals;
        finished.notify_all();
        return true;
      }
      o.tokens.push_back(e.token);
      EXPECT_EQ(e.generated, o.tokens.size());
      return go_on ? go_on(o) : true;
    };
  }
  size_t done() {
    size_t n = 0;
    for (const auto& [i, o] : of) n += o.finals;
    return n;
  }
};

// Every request's tokens as alone, each finished once with `reason` (or, where allow_stop, at an
// end-of-generation token).
void expect_as_alone(Outcomes& got, const std::vector<std::vector<int32_t>>& want, FinishReason reason = FinishReason::Length,
                     bool allow_stop = false) {
  ASSERT_EQ(got.of.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    const Outcome& o = got.of[i];
    EXPECT_EQ(o.tokens, want[i]) << "request " << i;
    EXPECT_EQ(o.finals, 1) << "request " << i;
    EXPECT_FALSE(o.token_after_final) << "request " << i;
    EXPECT_TRUE(o.finish == reason || (allow_stop && o.finish == FinishReason::Stop))
        << "request " << i << ": " << (o.finish ? finish_reason_name(*o.finish) : "none") << " " << o.message;
  }
}

// The model gave back every sequence and block.
void expect_all_returned(const Model& model) {
  EXPECT_EQ(model.open_sequences(), 0u);
  if (model.kv_cache().has_paged_layers()) {
    EXPECT_EQ(model.free_blocks(), model.kv_cache().blocks());
  }
}

ModelOptions options(uint32_t sequences, uint32_t kv_blocks = 0) {
  ModelOptions o;
  o.context = 64;
  o.sequences = sequences;
  o.kv_blocks = kv_blocks;
  return o;
}

class SchedulerFamily : public ::testing::TestWithParam<std::string> {};

// 5 requests of different prompt lengths and lengths on 3 sequences: two wait for a free one.
TEST_P(SchedulerFamily, ConcurrentGreedyAsAlone) {
  const auto path = fixtures() / "tiny" / GetParam();
  Model single(runtime(), path, options(1));
  const uint32_t vocab = single.n_vocab();
  std::vector<GenerationRequest> requests;
  const size_t lengths[] = {3, 17, 9, 30, 5};
  const uint32_t gens[] = {8, 6, 12, 5, 9};
  for (size_t i = 0; i < 5; ++i) requests.push_back(request(random_prompt(lengths[i], uint32_t(i + 1), vocab), gens[i]));
  for (auto& r : requests) r.ignore_eos = true;
  std::vector<std::vector<int32_t>> want;
  for (const auto& r : requests) want.push_back(alone(single, r));

  Model model(runtime(), path, options(3));
  Scheduler scheduler(model);
  EXPECT_EQ(model.open_sequences(), 0u);
  Outcomes got;
  for (size_t i = 0; i < requests.size(); ++i) scheduler.submit(requests[i], got.callback(i));
  EXPECT_EQ(scheduler.stats().waiting, 5u);
  const uint32_t total = model.kv_cache().has_paged_layers() ? model.kv_cache().blocks() : 0;
  EXPECT_EQ(scheduler.stats().kv_blocks_total, total);
  EXPECT_EQ(scheduler.stats().kv_blocks_free, total);
  ASSERT_TRUE(scheduler.step());
  EXPECT_EQ(scheduler.stats().running, 3u);
  EXPECT_EQ(scheduler.stats().waiting, 2u);
  EXPECT_EQ(scheduler.stats().kv_blocks_free, total ? model.free_blocks() : 0u);
  if (total) {
    EXPECT_LT(scheduler.stats().kv_blocks_free, total);  // the admitted prompts hold blocks
  }
  scheduler.run_until_idle();
  expect_as_alone(got, want);
  const SchedulerStats s = scheduler.stats();
  EXPECT_EQ(s.running + s.waiting, 0u);
  EXPECT_EQ(s.finished, 5u);
  uint64_t generated = 0, prompts = 0;
  for (size_t i = 0; i < 5; ++i) generated += want[i].size(), prompts += lengths[i];
  EXPECT_EQ(s.tokens_generated, generated);
  EXPECT_EQ(s.prompt_tokens_evaluated + s.prompt_tokens_reused, prompts);
  EXPECT_EQ(s.kv_blocks_free, total);
  expect_all_returned(model);
}

INSTANTIATE_TEST_SUITE_P(Tiny, SchedulerFamily, ::testing::Values("llama", "gemma2", "qwen3_moe"),
                         [](const auto& i) { return i.param; });

// Seeded sampling: device top-k for some, full rows where a request's penalties need them (a
// step with one such request gives every request its full row), end-of-generation honoured.
TEST(Scheduler, SeededSamplingAsAlone) {
  const auto path = fixtures() / "tiny" / "llama";
  Model single(runtime(), path, options(1));
  const uint32_t vocab = single.n_vocab();
  std::vector<GenerationRequest> requests;
  for (uint32_t i = 0; i < 4; ++i) {
    SamplerParams s;
    s.temperature = 0.7f + 0.1f * float(i);
    s.top_k = 20;
    s.seed = 100 + i;
    if (i == 2) s.repeat_penalty = 1.3f;  // the whole row
    requests.push_back(request(random_prompt(4 + 5 * i, 40 + i, vocab), 10, s));
  }
  std::vector<std::vector<int32_t>> want;
  for (const auto& r : requests) want.push_back(alone(single, r));

  Model model(runtime(), path, options(4));
  Scheduler scheduler(model);
  Outcomes got;
  for (size_t i = 0; i < requests.size(); ++i) scheduler.submit(requests[i], got.callback(i));
  scheduler.run_until_idle();
  expect_as_alone(got, want, FinishReason::Length, true);
  expect_all_returned(model);
}

// A 40-token prompt in chunks of 8 beside two decoding requests: no step evaluates more than 8
// prompt tokens, and everyone gets their alone tokens.
TEST(Scheduler, ChunkedPrefillBesideDecoding) {
  const auto path = fixtures() / "tiny" / "llama";
  Model single(runtime(), path, options(1));
  const uint32_t vocab = single.n_vocab();
  std::vector<GenerationRequest> requests{request(random_prompt(5, 1, vocab), 14), request(random_prompt(7, 2, vocab), 12),
                                          request(random_prompt(40, 3, vocab), 6)};
  for (auto& r : requests) r.ignore_eos = true;
  std::vector<std::vector<int32_t>> want;
  for (const auto& r : requests) want.push_back(alone(single, r));

  Model model(runtime(), path, options(3));
  Scheduler scheduler(model, SchedulerOptions{.chunk = 8});
  EXPECT_EQ(scheduler.chunk(), 8u);
  Outcomes got;
  scheduler.submit(requests[0], got.callback(0));
  scheduler.submit(requests[1], got.callback(1));
  scheduler.step();  // both prompts (12 tokens) in chunks of 8: the second's tail waits
  scheduler.step();
  scheduler.submit(requests[2], got.callback(2));
  uint64_t evaluated = scheduler.stats().prompt_tokens_evaluated;
  int steps = 0;
  while (scheduler.step()) {
    const uint64_t now = scheduler.stats().prompt_tokens_evaluated;
    EXPECT_LE(now - evaluated, 8u);
    evaluated = now;
    ++steps;
  }
  EXPECT_GE(steps, 5);  // the long prompt alone took 5 steps
  expect_as_alone(got, want);
  expect_all_returned(model);
}

// Alone, a prompt of 40 in chunks of 8: four steps without an output, then its tokens.
TEST(Scheduler, ChunksWithoutOutputs) {
  const auto path = fixtures() / "tiny" / "llama";
  Model single(runtime(), path, options(1));
  auto r = request(random_prompt(40, 31, single.n_vocab()), 4);
  r.ignore_eos = true;
  const std::vector<std::vector<int32_t>> want{alone(single, r)};
  Model model(runtime(), path, options(2));
  Scheduler scheduler(model, SchedulerOptions{.chunk = 8});
  Outcomes got;
  scheduler.submit(r, got.callback(0));
  for (int i = 0; i < 4; ++i) {
    scheduler.step();
    EXPECT_TRUE(got.of[0].tokens.empty());
  }
  scheduler.run_until_idle();
  expect_as_alone(got, want);
  EXPECT_EQ(scheduler.stats().steps, 5u + 3u);
}

// A pool of 5 blocks (80 positions) for 3 sequences of up to 64: requests wait for blocks and
// running ones are preempted (evaluated again later), with every request's tokens as alone.
TEST(Scheduler, TinyPoolPreemptsAndStillGivesTheSameTokens) {
  const auto path = fixtures() / "tiny" / "llama";
  Model single(runtime(), path, options(1));
  const uint32_t vocab = single.n_vocab();
  std::vector<GenerationRequest> requests;
  const size_t lengths[] = {20, 12, 25, 8, 30};
  for (size_t i = 0; i < 5; ++i) requests.push_back(request(random_prompt(lengths[i], uint32_t(10 + i), vocab), 24));
  for (auto& r : requests) r.ignore_eos = true;
  std::vector<std::vector<int32_t>> want;
  for (const auto& r : requests) want.push_back(alone(single, r));

  Model model(runtime(), path, options(3, 5));
  Scheduler scheduler(model);
  Outcomes got;
  for (size_t i = 0; i < requests.size(); ++i) scheduler.submit(requests[i], got.callback(i));
  scheduler.run_until_idle();
  expect_as_alone(got, want);
  EXPECT_GT(scheduler.stats().preemptions, 0u);
  expect_all_returned(model);
}

// Alone in a pool of 2 blocks (32 positions) with a context of 64, a sequence stops at the
// pool's end: FinishReason::Context after 32 - 20 + 1 tokens.
TEST(Scheduler, LoneSequenceBeyondThePoolFinishesWithContext) {
  Model model(runtime(), fixtures() / "tiny" / "llama", options(2, 2));
  Scheduler scheduler(model);
  Outcomes got;
  auto r = request(random_prompt(20, 5, model.n_vocab()), 40);
  r.ignore_eos = true;
  scheduler.submit(r, got.callback(0));
  scheduler.run_until_idle();
  EXPECT_EQ(got.of[0].finish, FinishReason::Context);
  EXPECT_EQ(got.of[0].tokens.size(), 13u);
  expect_all_returned(model);
}

// The context of 64 ends a request as `rbee run` does: the token sampled at the last position
// is delivered, then FinishReason::Context.
TEST(Scheduler, ContextFullFinishes) {
  const auto path = fixtures() / "tiny" / "llama";
  Model single(runtime(), path, options(1));
  auto r = request(random_prompt(50, 9, single.n_vocab()), 100);
  r.ignore_eos = true;
  const auto want = alone(single, r);
  EXPECT_EQ(want.size(), 15u);
  Model model(runtime(), path, options(2));
  Scheduler scheduler(model);
  Outcomes got;
  scheduler.submit(r, got.callback(0));
  scheduler.run_until_idle();
  expect_as_alone(got, {want}, FinishReason::Context);
}

// Cancelled by cancel() while waiting and while decoding, and by the callback: each gets one
// final event (cancelled) and the sequences and blocks go back to the pool.
TEST(Scheduler, CancelFreesTheSequence) {
  Model model(runtime(), fixtures() / "tiny" / "llama", options(2));
  Scheduler scheduler(model);
  Outcomes got;
  const uint32_t vocab = model.n_vocab();
  auto long_one = [&](uint32_t seed) {
    auto r = request(random_prompt(10, seed, vocab), 50);
    r.ignore_eos = true;
    return r;
  };
  const RequestId decoding = scheduler.submit(long_one(1), got.callback(0));
  scheduler.submit(long_one(2), got.callback(1, [](const Outcome& o) { return o.tokens.size() < 3; }));
  const RequestId waiting = scheduler.submit(long_one(3), got.callback(2));
  const RequestId last = scheduler.submit(long_one(4), got.callback(3));
  scheduler.step();
  scheduler.step();
  EXPECT_EQ(model.open_sequences(), 2u);
  EXPECT_TRUE(scheduler.cancel(waiting));
  EXPECT_TRUE(scheduler.cancel(decoding));
  scheduler.step();
  EXPECT_EQ(got.of[0].finish, FinishReason::Cancelled);
  EXPECT_EQ(got.of[0].tokens.size(), 2u);
  EXPECT_EQ(got.of[2].finish, FinishReason::Cancelled);
  EXPECT_TRUE(got.of[2].tokens.empty());
  EXPECT_EQ(got.of[1].finish, FinishReason::Cancelled);  // its callback said stop at the third
  EXPECT_EQ(got.of[1].tokens.size(), 3u);
  EXPECT_FALSE(scheduler.cancel(decoding));  // already finished
  EXPECT_TRUE(scheduler.cancel(last));
  EXPECT_FALSE(scheduler.step());
  EXPECT_EQ(got.of[3].finish, FinishReason::Cancelled);
  EXPECT_EQ(got.done(), 4u);
  EXPECT_EQ(scheduler.stats().finished, 4u);
  expect_all_returned(model);
}

// A prompt whose first 32 positions an earlier request computed evaluates only the rest
// (Model::reuse_prefix), says so in its events and the stats, and still gets its alone tokens.
TEST(Scheduler, ReusedPrefixIsCountedAndGivesTheSameTokens) {
  const auto path = fixtures() / "tiny" / "llama";
  Model single(runtime(), path, options(1));
  const auto first = request(random_prompt(40, 21, single.n_vocab()), 5);
  auto second = first;
  second.prompt.resize(36);
  second.prompt.push_back(7);  // the same first 2 blocks, another tail
  second.max_tokens = 7;
  const std::vector<std::vector<int32_t>> want{alone(single, first), alone(single, second)};

  Model model(runtime(), path, options(2));
  Scheduler scheduler(model);
  Outcomes got;
  scheduler.submit(first, got.callback(0));
  scheduler.run_until_idle();
  scheduler.submit(second, got.callback(1));
  scheduler.run_until_idle();
  expect_as_alone(got, want, FinishReason::Length, true);
  EXPECT_EQ(got.of[0].reused, 0u);
  EXPECT_EQ(got.of[1].reused, 32u);
  EXPECT_EQ(scheduler.stats().prompt_tokens_reused, 32u);
  EXPECT_EQ(scheduler.stats().prompt_tokens_evaluated, 40u + 5u);
  expect_all_returned(model);
}

// A server thread runs run() (asleep while idle); requests come from two other threads, then
// a stop ends the loop.
TEST(Scheduler, RunServesOtherThreadsUntilStopped) {
  const auto path = fixtures() / "tiny" / "llama";
  Model single(runtime(), path, options(1));
  std::vector<GenerationRequest> requests;
  for (uint32_t i = 0; i < 4; ++i) requests.push_back(request(random_prompt(3 + 4 * i, 70 + i, single.n_vocab()), 6 + i));
  for (auto& r : requests) r.ignore_eos = true;
  std::vector<std::vector<int32_t>> want;
  for (const auto& r : requests) want.push_back(alone(single, r));

  Model model(runtime(), path, options(2));
  Scheduler scheduler(model);
  Outcomes got;
  std::jthread server([&](std::stop_token stop) { scheduler.run(stop); });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // idle: asleep
  {
    std::thread a([&] { scheduler.submit(requests[0], got.callback(0)), scheduler.submit(requests[1], got.callback(1)); });
    std::thread b([&] { scheduler.submit(requests[2], got.callback(2)), scheduler.submit(requests[3], got.callback(3)); });
    a.join();
    b.join();
  }
  {
    std::unique_lock lock(got.mutex);
    ASSERT_TRUE(got.finished.wait_for(lock, std::chrono::seconds(60), [&] { return got.done() == 4; }));
  }
  server.request_stop();
  server.join();
  expect_as_alone(got, want);
  expect_all_returned(model);
}

TEST(Scheduler, RefusesWhatCouldNeverRun) {
  Model model(runtime(), fixtures() / "tiny" / "llama", options(2, 2));  // 32 positions of pool
  Scheduler scheduler(model);
  auto refusal = [&](std::vector<int32_t> ids) {
    try {
      scheduler.submit(request(std::move(ids), 4), {});
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_NE(refusal({}).find("empty"), std::string::npos);
  EXPECT_NE(refusal(std::vector<int32_t>(64, 5)).find("64"), std::string::npos);
  const std::string vocab = refusal({5, 512, 6});
  EXPECT_NE(vocab.find("512"), std::string::npos) << vocab;
  EXPECT_NE(vocab.find("0..511"), std::string::npos) << vocab;
  EXPECT_NE(refusal({-1}).find("-1"), std::string::npos);
  const std::string pool = refusal(std::vector<int32_t>(40, 5));
  EXPECT_NE(pool.find("40 tokens needs 3 KV blocks"), std::string::npos) << pool;
  EXPECT_NE(pool.find("pool's 2"), std::string::npos) << pool;
  EXPECT_EQ(scheduler.stats().waiting, 0u);
  EXPECT_FALSE(scheduler.step());
}

// A KV budget in bytes becomes the blocks it holds (serve's --kv-budget); one too small to hold
// a block is refused, saying so.
TEST(Scheduler, KvBudgetSizesThePool) {
  const auto path = fixtures() / "tiny" / "llama";
  Model whole(runtime(), path, options(2));
  const uint64_t block = whole.kv_cache_bytes_per_token() * KvCache::kBlockRows;
  ModelOptions o = options(2);
  o.kv_budget_bytes = 3 * block + block / 2;
  Model budgeted(runtime(), path, o);
  EXPECT_EQ(budgeted.kv_cache().blocks(), 3u);
  EXPECT_EQ(budgeted.kv_cache().bytes(), 3 * block);
  o.kv_budget_bytes = 1000 * block;  // more than two whole contexts: those
  EXPECT_EQ(Model(runtime(), path, o).kv_cache().blocks(), whole.kv_cache().blocks());
  o.kv_budget_bytes = block - 1;
  try {
    Model(runtime(), path, o);
    ADD_FAILURE() << "a budget below one block was accepted";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("holds no block"), std::string::npos) << e.what();
  }
}

// Log probabilities: the log-softmax of the model's logits at each generated token, computed
// here in double from the single-sequence logits, and the best tokens', beside a request
// without them (that step reads whole rows for both).
TEST(Scheduler, LogprobsAreTheModelsLogSoftmax) {
  const auto path = fixtures() / "tiny" / "llama";
  Model single(runtime(), path, options(1));
  const uint32_t vocab = single.n_vocab();
  const std::vector<int32_t> prompt = random_prompt(7, 5, vocab);
  GenerationRequest r = request(prompt, 6);
  r.ignore_eos = true;
  r.logprobs = true;
  r.top_logprobs = 3;

  Model model(runtime(), path, options(2));
  Scheduler scheduler(model);
  std::vector<GenerationEvent> events;
  scheduler.submit(r, [&](const GenerationEvent& e) {
    if (!e.finish) events.push_back(e);
    return true;
  });
  Outcomes other;
  GenerationRequest plain = request(random_prompt(4, 9, vocab), 6);
  plain.ignore_eos = true;
  scheduler.submit(plain, other.callback(0));
  scheduler.run_until_idle();
  ASSERT_EQ(events.size(), 6u);
  EXPECT_EQ(other.of[0].tokens, alone(single, plain));
  std::vector<int32_t> tokens;
  for (const GenerationEvent& e : events) tokens.push_back(e.token);
  EXPECT_EQ(tokens, alone(single, r));

  single.reset();
  std::vector<float> logits = single.eval(prompt, false);
  for (const GenerationEvent& e : events) {
    double max = *std::max_element(logits.begin(), logits.end()), sum = 0;
    for (float x : logits) sum += std::exp(double(x) - max);
    const double log_z = max + std::log(sum);
    EXPECT_NEAR(e.logprob, logits[e.token] - log_z, 1e-4);
    ASSERT_EQ(e.top_logprobs.size(), 3u);
    EXPECT_EQ(e.top_logprobs[0].token, e.token);  // greedy
    for (size_t i = 0; i < 3; ++i) {
      EXPECT_NEAR(e.top_logprobs[i].logprob, logits[e.top_logprobs[i].token] - log_z, 1e-4);
      if (i) {
        EXPECT_GE(e.top_logprobs[i - 1].logprob, e.top_logprobs[i].logprob);
      }
    }
    logits = single.eval(std::span<const int32_t>(&e.token, 1), false);
  }
}

// A model whose logits are NaN (here its final norm's weights): each request fails with an error
// saying so, from the device top-k path (greedy) and the full-row path (logprobs) alike; the
// scheduler gives their blocks back and keeps serving.
TEST(Scheduler, NanLogitsFailTheRequest) {
  const auto original = fixtures() / "tiny" / "llama" / "model-f32.gguf";
  std::vector<char> bytes;
  {
    std::ifstream in(original, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
    const GgufSource source(original);
    const TensorView* norm = source.tensor("output_norm.weight");
    ASSERT_NE(norm, nullptr);
    ASSERT_EQ(norm->dtype, DType::F32);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    for (uint64_t i = 0; i < norm->nbytes; i += 4) std::memcpy(&bytes[norm->data - source.file().data() + i], &nan, 4);
  }
  TempDir dir;
  std::ofstream(dir / "nan.gguf", std::ios::binary).write(bytes.data(), std::streamsize(bytes.size()));

  Model model(runtime(), dir / "nan.gguf", options(2));
  Scheduler scheduler(model);
  Outcomes got;
  GenerationRequest greedy_request = request(random_prompt(5, 1, model.n_vocab()), 4);
  GenerationRequest logprobs_request = request(random_prompt(9, 2, model.n_vocab()), 4);
  logprobs_request.logprobs = true;
  scheduler.submit(greedy_request, got.callback(0));
  scheduler.submit(logprobs_request, got.callback(1));
  scheduler.run_until_idle();
  scheduler.submit(greedy_request, got.callback(2));
  scheduler.run_until_idle();
  for (size_t i = 0; i < 3; ++i) {
    const Outcome& o = got.of[i];
    EXPECT_TRUE(o.tokens.empty()) << "request " << i;
    EXPECT_EQ(o.finals, 1) << "request " << i;
    EXPECT_TRUE(o.finish == FinishReason::Error) << "request " << i;
    EXPECT_NE(o.message.find("nan.gguf"), std::string::npos) << o.message;
    EXPECT_NE(o.message.find("NaN logits"), std::string::npos) << o.message;
  }
  expect_all_returned(model);
}

}  // namespace
}  // namespace rbee::test
