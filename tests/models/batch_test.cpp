// Several sequences in one step (Model::step): every family gives each sequence the logits it
// gets alone, whatever else shares its batch (other lengths, other positions, chunks of a long
// prompt), within 1e-4; sampling with a seed gives the same tokens. The paged KV cache refuses
// a step it has no blocks for (KvCacheFull) without running any of it, and a closed sequence's
// blocks return to the pool.
#include <gtest/gtest.h>

#include <numeric>
#include <random>

#include "engine/next_token.hpp"
#include "models/model_test_util.hpp"

namespace rbee::test {
namespace {

constexpr float kTolerance = 1e-4f;

std::vector<float> row(const std::vector<float>& logits, size_t i, uint32_t vocab) {
  return {logits.begin() + i * vocab, logits.begin() + (i + 1) * vocab};
}

int32_t greedy(const std::vector<float>& logits) {
  return static_cast<int32_t>(std::max_element(logits.begin(), logits.end()) - logits.begin());
}

// A sequence alone: its prompt's last logits, then those after each of `steps` greedy tokens.
std::vector<std::vector<float>> alone(Model& model, const std::vector<int32_t>& ids, int steps) {
  model.reset();
  std::vector<std::vector<float>> out{model.eval(ids, false)};
  for (int s = 0; s < steps; ++s) {
    const int32_t next = greedy(out.back());
    out.push_back(model.eval(std::span(&next, 1), false));
  }
  return out;
}

class BatchedFamily : public ::testing::TestWithParam<std::string> {};

// Three prompts of different lengths in one step, then greedy steps of all three together.
TEST_P(BatchedFamily, SequencesGetTheirAloneLogits) {
  const auto path = fixtures() / "tiny" / GetParam();
  ModelOptions one;
  one.context = 64;
  Model single(runtime(), path, one);
  const uint32_t vocab = single.n_vocab();
  const std::vector<std::vector<int32_t>> prompts{random_prompt(5, 1, vocab), random_prompt(11, 2, vocab), random_prompt(3, 3, vocab)};
  constexpr int kSteps = 3;
  std::vector<std::vector<std::vector<float>>> want;
  for (const auto& p : prompts) want.push_back(alone(single, p, kSteps));

  ModelOptions several = one;
  several.sequences = 3;
  Model model(runtime(), path, several);
  const std::vector<SequenceId> seqs{0, model.open_sequence(), model.open_sequence()};
  std::vector<SequenceStep> batch;
  for (size_t i = 0; i < prompts.size(); ++i) batch.push_back({seqs[i], prompts[i]});
  std::vector<float> got = model.step(batch);
  for (int s = 0;; ++s) {
    std::vector<int32_t> next(prompts.size());
    for (size_t i = 0; i < prompts.size(); ++i) {
      EXPECT_LT(max_abs_diff(row(got, i, vocab), want[i][s]), kTolerance) << "sequence " << i << " step " << s;
      next[i] = greedy(want[i][s]);
    }
    if (s == kSteps) break;
    batch.clear();
    for (size_t i = 0; i < prompts.size(); ++i) batch.push_back({seqs[i], std::span(&next[i], 1)});
    got = model.step(batch);
  }
  for (size_t i = 0; i < prompts.size(); ++i) EXPECT_EQ(model.n_past(seqs[i]), prompts[i].size() + kSteps);
}

// Graphs are compiled per power-of-two bound of the positions a step sees, and split-K sizes
// its splits by that bound, not by the cache's capacity: a short sequence in a large cache runs
// unsplit, and one decoded across the bounds 256 to 2048 (1, 2, 4 then 8 splits of at least 256
// positions) gets the logits of the same model without split-K, step after step.
TEST(Batched, SplitsFollowThePositionsNotTheCapacity) {
  const auto path = fixtures() / "tiny" / "llama";
  ModelOptions plain;
  plain.context = 2048;
  plain.kernels = KernelConfig::for_device(runtime().device().info());
  plain.kernels->attention_split_keys = 0;  // no split-K
  ModelOptions split = plain;
  split.kernels->attention_split_groups = 64;
  split.kernels->attention_split_keys = 256;
  split.profile = true;
  Model a(runtime(), path, plain), b(runtime(), path, split);
  auto merged = [&] { return std::ranges::any_of(b.profile(), [](const auto& k) { return k.first.starts_with("attention_merge"); }); };
  const std::vector<int32_t> prompt = random_prompt(200, 4, a.n_vocab());
  std::vector<float> want = a.eval(prompt, false), got = b.eval(prompt, false);
  for (uint32_t n = prompt.size(); n < 1100; ++n) {
    ASSERT_LT(max_abs_diff(got, want), kTolerance) << "at " << n << " positions";
    if (n == 250) EXPECT_FALSE(merged()) << "250 positions of a 2048-position cache were split";
    const int32_t next = greedy(want);
    want = a.eval(std::span(&next, 1), false);
    got = b.eval(std::span(&next, 1), false);
  }
  EXPECT_TRUE(merged()) << "1100 positions were not split";
}

// A long prompt evaluated in chunks of 6 that share their steps with another sequence's
// decoding: both get their alone logits.
TEST_P(BatchedFamily, ChunkedPrefillBesideDecoding) {
  const auto path = fixtures() / "tiny" / GetParam();
  ModelOptions options;
  options.context = 64;
  options.sequences = 2;
  options.max_batch = 8;
  Model model(runtime(), path, options);
  const uint32_t vocab = model.n_vocab();
  const auto longer = random_prompt(23, 7, vocab), shorter = random_prompt(4, 8, vocab);
  const auto want_long = alone(model, longer, 0);
  constexpr int kSteps = 4;  // chunks of the longer prompt
  const auto want_short = alone(model, shorter, kSteps);

  model.reset();
  const SequenceId decoding = 0, prefilling = model.open_sequence();
  std::vector<float> got = model.step(std::vector<SequenceStep>{{decoding, shorter}});
  size_t done = 0;
  for (int s = 0; s < kSteps; ++s) {
    EXPECT_LT(max_abs_diff(got, want_short[s]), kTolerance) << "decode step " << s;
    const int32_t next = greedy(want_short[s]);
    const size_t n = std::min<size_t>(6, longer.size() - done);
    const bool last = done + n == longer.size();
    const std::span chunk = std::span(longer).subspan(done, n);
    std::vector<float> out = model.step(std::vector<SequenceStep>{{decoding, std::span(&next, 1)}, {prefilling, chunk, last}});
    done += n;
    got = row(out, 0, vocab);
    if (last) EXPECT_LT(max_abs_diff(row(out, 1, vocab), want_long[0]), kTolerance) << "chunked prompt";
    else EXPECT_EQ(out.size(), vocab);
  }
  EXPECT_EQ(done, longer.size());
}

std::vector<std::string> families() {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(fixtures() / "tiny"))
    if (std::filesystem::exists(e.path() / "config.json")) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

INSTANTIATE_TEST_SUITE_P(Tiny, BatchedFamily, ::testing::ValuesIn(families()),
                         [](const auto& i) { return i.param; });

// Sampled with a seed, a sequence draws the same tokens batched as alone (device top-k per row).
TEST(Batched, SeededSamplingAsAlone) {
  const auto path = fixtures() / "tiny" / "llama";
  ModelOptions options;
  options.context = 64;
  options.sequences = 2;
  Model model(runtime(), path, options);
  SamplerParams sampling;
  sampling.temperature = 0.8f;
  sampling.top_k = 20;
  sampling.seed = 42;
  SamplerParams other_sampling = sampling;
  other_sampling.temperature = 1.0f;
  other_sampling.seed = 7;
  const auto ids = random_prompt(6, 5, model.n_vocab()), other = random_prompt(9, 6, model.n_vocab());
  std::vector<int32_t> want;
  {
    Sampler sampler(sampling, model.n_vocab());
    int32_t next = next_token(model, sampler, ids);
    for (int i = 0; i < 8; ++i) {
      want.push_back(next);
      next = next_token(model, sampler, std::span(&next, 1));
    }
  }
  model.reset();
  const SequenceId a = 0, b = model.open_sequence();
  Sampler sampler(sampling, model.n_vocab()), other_sampler(other_sampling, model.n_vocab());
  const uint32_t k = sampler.candidates_needed(CompiledGraph::kMaxTopK);
  auto pick = [](Sampler& s, const std::vector<TopLogit>& top) {
    std::vector<Candidate> c;
    for (const TopLogit& t : top) c.push_back({t.id, t.logit});
    return s.sample_top(c);
  };
  auto tops = model.step_top(std::vector<SequenceStep>{{b, other}, {a, ids}}, k);
  std::vector<int32_t> got;
  for (int i = 0; i < 8; ++i) {
    int32_t mine = pick(sampler, tops[1]), theirs = pick(other_sampler, tops[0]);
    got.push_back(mine);
    tops = model.step_top(std::vector<SequenceStep>{{b, std::span(&theirs, 1)}, {a, std::span(&mine, 1)}}, k);
  }
  EXPECT_EQ(got, want);
}

// A pool of 4 blocks (64 positions): a step that needs more than the free blocks is refused
// whole, and runs once a closed sequence has given its blocks back.
TEST(Batched, BlockExhaustionRefusesThenResumes) {
  ModelOptions options;
  options.context = 64;
  options.sequences = 2;
  options.kv_blocks = 4;
  Model model(runtime(), fixtures() / "tiny" / "llama", options);
  const auto first = random_prompt(40, 1, model.n_vocab()), second = random_prompt(30, 2, model.n_vocab());
  const auto want = alone(model, second, 0);
  model.reset();
  EXPECT_EQ(model.free_blocks(), 4u);
  model.eval(first, false);
  EXPECT_EQ(model.free_blocks(), 1u);
  const SequenceId other = model.open_sequence();
  EXPECT_EQ(model.blocks_needed(other, 30), 2u);
  EXPECT_THROW(model.step(std::vector<SequenceStep>{{other, second}}), KvCacheFull);
  EXPECT_EQ(model.n_past(other), 0u);
  EXPECT_EQ(model.free_blocks(), 1u);
  model.close_sequence(0);
  EXPECT_EQ(model.free_blocks(), 4u);
  EXPECT_LT(max_abs_diff(model.step(std::vector<SequenceStep>{{other, second}}), want[0]), kTolerance);
  EXPECT_EQ(model.free_blocks(), 2u);
  model.truncate(other, 10);
  EXPECT_EQ(model.free_blocks(), 3u);
  EXPECT_THROW(model.n_past(0), std::invalid_argument);  // closed
}

TEST(Batched, RefusesWhatCannotRun) {
  ModelOptions options;
  options.context = 32;
  options.sequences = 2;
  options.max_batch = 8;
  Model model(runtime(), fixtures() / "tiny" / "llama", options);
  const auto ids = random_prompt(6, 1, model.n_vocab());
  const SequenceId b = model.open_sequence();
  EXPECT_THROW(model.open_sequence(), ModelError);  // both slots taken
  EXPECT_THROW(model.step(std::vector<SequenceStep>{{0, ids}, {0, ids}}), std::invalid_argument);
  EXPECT_THROW(model.step(std::vector<SequenceStep>{{0, ids}, {b, ids}}), std::invalid_argument);  // 12 > 8
  EXPECT_THROW(model.step(std::vector<SequenceStep>{{5, ids}}), std::invalid_argument);
  EXPECT_EQ(model.n_past(0), 0u);
  EXPECT_EQ(model.n_past(b), 0u);
}

}  // namespace
}  // namespace rbee::test

namespace rbee::test {
namespace {

// Prefix reuse: a later sequence whose prompt starts like an earlier one's takes the earlier
// one's whole blocks instead of computing them, and gets the logits of a cold run.
class PrefixReuse : public ::testing::Test {
 protected:
  PrefixReuse() {
    ModelOptions options;
    options.context = 128;
    options.sequences = 2;
    model_ = std::make_unique<Model>(runtime(), fixtures() / "tiny" / "llama", options);
    shared_ = random_prompt(40, 11, model_->n_vocab());
    other_ = shared_;
    for (size_t i = 35; i < other_.size(); ++i) other_[i] = 3 + (other_[i] + 1) % 200;
  }
  // The last logits of ids evaluated from nothing.
  std::vector<float> cold(const std::vector<int32_t>& ids) {
    Model fresh(runtime(), fixtures() / "tiny" / "llama", ModelOptions{.context = 128});
    return fresh.eval(ids, false);
  }
  std::vector<float> finish(SequenceId seq, const std::vector<int32_t>& ids) {
    return model_->step(std::vector<SequenceStep>{{seq, std::span(ids).subspan(model_->n_past(seq))}});
  }
  std::unique_ptr<Model> model_;
  std::vector<int32_t> shared_, other_;  // equal for 35 tokens: two whole blocks
};

TEST_F(PrefixReuse, ReusesWholeBlocksOfAnEndedSequence) {
  model_->eval(shared_, false);
  model_->close_sequence(0);
  EXPECT_EQ(model_->cached_blocks(), 2u);  // the two full blocks; the partial third is free
  const SequenceId seq = model_->open_sequence();
  EXPECT_EQ(model_->reuse_prefix(seq, other_), 32u);
  EXPECT_EQ(model_->reused_positions(), 32u);
  EXPECT_LT(max_abs_diff(finish(seq, other_), cold(other_)), kTolerance);
  // Whole blocks only, and never the prompt's last token: its logits are wanted.
  const SequenceId again = model_->open_sequence();
  EXPECT_EQ(model_->reuse_prefix(again, std::span(other_).first(33)), 32u);
  model_->close_sequence(again);
  EXPECT_EQ(model_->reuse_prefix(model_->open_sequence(), std::span(other_).first(32)), 16u);
}

TEST_F(PrefixReuse, SharedBlocksAreCopiedBeforeTheyChange) {
  model_->eval(shared_, false);  // sequence 0 keeps its blocks
  const SequenceId seq = model_->open_sequence();
  EXPECT_EQ(model_->reuse_prefix(seq, other_), 32u);
  // Sequence 0 goes back into its second block (shared) and writes other tokens there.
  ASSERT_TRUE(model_->truncate(0, 20));
  std::vector<int32_t> changed = shared_;
  for (size_t i = 20; i < changed.size(); ++i) changed[i] = 3 + (changed[i] + 7) % 200;
  EXPECT_LT(max_abs_diff(finish(0, changed), cold(changed)), kTolerance);
  EXPECT_LT(max_abs_diff(finish(seq, other_), cold(other_)), kTolerance);
}

TEST_F(PrefixReuse, CachedBlocksAreEvictedWhenTheSpaceIsNeeded) {
  model_->eval(shared_, false);
  model_->close_sequence(0);
  const uint32_t total = model_->free_blocks();
  EXPECT_EQ(total, 16u);  // 2 sequences x 128 positions; the cached blocks count as free
  const SequenceId seq = model_->open_sequence();
  const std::vector<int32_t> unrelated = random_prompt(120, 99, model_->n_vocab());
  model_->step(std::vector<SequenceStep>{{seq, unrelated}});  // 8 blocks: 6 free ones left
  const SequenceId next = model_->open_sequence();
  model_->step(std::vector<SequenceStep>{{next, unrelated}});  // 8 more: the 2 cached are evicted
  EXPECT_EQ(model_->cached_blocks(), 0u);
  model_->close_sequence(next);
  const SequenceId late = model_->open_sequence();
  EXPECT_EQ(model_->reuse_prefix(late, other_), 0u);  // evicted
}

}  // namespace
}  // namespace rbee::test
