#include "sampling/sampler.hpp"

#include <cmath>
#include <limits>
#include <set>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

namespace rbee {
namespace {

// Logits whose softmax is exactly this distribution.
std::vector<float> logits_of(std::vector<float> probs) {
  for (float& p : probs) p = std::log(p);
  return probs;
}

// Every filter off, temperature 1: draws follow the softmax of the logits.
SamplerParams plain(uint64_t seed = 42) {
  SamplerParams p;
  p.temperature = 1.0f;
  p.top_k = 0;
  p.top_p = 1.0f;
  p.min_p = 0.0f;
  p.seed = seed;
  return p;
}

std::set<int32_t> drawn_ids(const SamplerParams& params, const std::vector<float>& logits,
                            int draws = 4000) {
  Sampler s(params, logits.size());
  std::set<int32_t> seen;
  for (int i = 0; i < draws; ++i) seen.insert(s.sample(logits));
  return seen;
}

const std::vector<float> kDist = logits_of({0.5f, 0.3f, 0.15f, 0.05f});

TEST(Sampler, GreedyPicksArgmax) {
  SamplerParams p = plain();
  p.temperature = 0.0f;
  Sampler s(p, 5);
  const std::vector<float> logits{0.1f, 3.0f, -2.0f, 2.9f, 1.0f};
  for (int i = 0; i < 10; ++i) EXPECT_EQ(s.sample(logits), 1);
}

TEST(Sampler, GreedyBreaksTiesByLowestId) {
  SamplerParams p = plain();
  p.temperature = 0.0f;
  EXPECT_EQ(Sampler(p, 4).sample(std::vector<float>{1.0f, 5.0f, 2.0f, 5.0f}), 1);
}

TEST(Sampler, NegativeOrNanTemperatureIsGreedy) {
  const std::vector<float> logits{0.0f, 0.1f, 0.05f};
  for (float t : {-1.0f, std::numeric_limits<float>::quiet_NaN()}) {
    SamplerParams p = plain();
    p.temperature = t;
    EXPECT_EQ(drawn_ids(p, logits, 200), std::set<int32_t>{1}) << "temperature " << t;
  }
}

TEST(Sampler, TopKOneEqualsGreedy) {
  std::mt19937 gen(7);
  std::normal_distribution<float> normal;
  SamplerParams p = plain();
  p.top_k = 1;
  Sampler s(p, 64);
  for (int round = 0; round < 50; ++round) {
    std::vector<float> logits(64);
    for (float& l : logits) l = normal(gen);
    const auto argmax = std::max_element(logits.begin(), logits.end()) - logits.begin();
    EXPECT_EQ(s.sample(logits), argmax);
  }
}

TEST(Sampler, TopKKeepsTheKBest) {
  SamplerParams p = plain();
  p.top_k = 2;
  EXPECT_EQ(drawn_ids(p, kDist), (std::set<int32_t>{0, 1}));
}

TEST(Sampler, TopKZeroOrNegativeIsDisabled) {
  for (int32_t k : {0, -3}) {
    SamplerParams p = plain();
    p.top_k = k;
    EXPECT_EQ(drawn_ids(p, kDist), (std::set<int32_t>{0, 1, 2, 3})) << "top_k " << k;
  }
}

TEST(Sampler, TopPKeepsTheSmallestSetReachingP) {
  SamplerParams p = plain();
  p.top_p = 0.7f;  // 0.5 < 0.7 <= 0.5 + 0.3
  EXPECT_EQ(drawn_ids(p, kDist), (std::set<int32_t>{0, 1}));
  p.top_p = 0.9f;  // 0.8 < 0.9 <= 0.95
  EXPECT_EQ(drawn_ids(p, kDist), (std::set<int32_t>{0, 1, 2}));
}

TEST(Sampler, TopPOutOfRange) {
  SamplerParams p = plain();
  p.top_p = 0.0f;  // nothing reaches "no mass": keeps the most likely token
  EXPECT_EQ(drawn_ids(p, kDist), std::set<int32_t>{0});
  p.top_p = -1.0f;
  EXPECT_EQ(drawn_ids(p, kDist), std::set<int32_t>{0});
  p.top_p = 1.5f;  // disabled
  EXPECT_EQ(drawn_ids(p, kDist), (std::set<int32_t>{0, 1, 2, 3}));
}

TEST(Sampler, MinPCutsRelativeToTheBest) {
  SamplerParams p = plain();
  p.min_p = 0.2f;  // threshold 0.1: drops 0.05
  EXPECT_EQ(drawn_ids(p, kDist), (std::set<int32_t>{0, 1, 2}));
  p.min_p = 0.4f;  // threshold 0.2: drops 0.15 and 0.05
  EXPECT_EQ(drawn_ids(p, kDist), (std::set<int32_t>{0, 1}));
  p.min_p = 2.0f;  // above 1: only the best
  EXPECT_EQ(drawn_ids(p, kDist), std::set<int32_t>{0});
}

TEST(Sampler, FiltersApplyBeforeTemperature) {
  // A high temperature flattens the distribution but must not bring back what top-p cut.
  SamplerParams p = plain();
  p.top_p = 0.7f;
  p.temperature = 5.0f;
  EXPECT_EQ(drawn_ids(p, kDist), (std::set<int32_t>{0, 1}));
}

SamplerParams greedy_with(float repeat, float presence, float frequency, int32_t last_n = 64) {
  SamplerParams p = plain();
  p.temperature = 0.0f;
  p.repeat_penalty = repeat;
  p.presence_penalty = presence;
  p.frequency_penalty = frequency;
  p.penalty_last_n = last_n;
  return p;
}

TEST(Sampler, RepeatPenaltyDividesPositiveLogits) {
  Sampler s(greedy_with(1.1f, 0, 0), 3);
  const std::vector<float> logits{2.0f, 1.9f, 0.0f};
  EXPECT_EQ(s.sample(logits), 0);
  s.accept(0);  // 2.0 / 1.1 = 1.82 < 1.9
  EXPECT_EQ(s.sample(logits), 1);
}

TEST(Sampler, RepeatPenaltyMultipliesNegativeLogits) {
  Sampler s(greedy_with(1.1f, 0, 0), 3);
  const std::vector<float> logits{-1.0f, -1.05f, -5.0f};
  s.accept(0);  // -1.0 * 1.1 = -1.1 < -1.05
  EXPECT_EQ(s.sample(logits), 1);
}

TEST(Sampler, PresencePenaltyIsSubtractedOnce) {
  Sampler s(greedy_with(1.0f, 0.3f, 0), 2);
  const std::vector<float> logits{1.0f, 0.5f};
  s.accept(0);
  s.accept(0);
  s.accept(0);  // 1.0 - 0.3 = 0.7, however often it occurred
  EXPECT_EQ(s.sample(logits), 0);
  Sampler t(greedy_with(1.0f, 0.6f, 0), 2);
  t.accept(0);  // 1.0 - 0.6 = 0.4
  EXPECT_EQ(t.sample(logits), 1);
}

TEST(Sampler, FrequencyPenaltyScalesWithCount) {
  Sampler s(greedy_with(1.0f, 0, 0.3f), 2);
  const std::vector<float> logits{1.0f, 0.5f};
  s.accept(0);  // 0.7
  EXPECT_EQ(s.sample(logits), 0);
  s.accept(0);  // 0.4
  EXPECT_EQ(s.sample(logits), 1);
}

TEST(Sampler, PenaltiesOnlyCoverTheLastNTokens) {
  Sampler s(greedy_with(2.0f, 0, 0, /*last_n=*/2), 4);
  const std::vector<float> logits{2.0f, 1.9f, 0.0f, 0.0f};
  s.accept(0);
  EXPECT_EQ(s.sample(logits), 1);
  s.accept(2);
  s.accept(3);  // token 0 left the window
  EXPECT_EQ(s.sample(logits), 0);
}

TEST(Sampler, PenaltyWindowZeroDisablesAndResetForgets) {
  const std::vector<float> logits{2.0f, 1.9f};
  Sampler off(greedy_with(2.0f, 0, 0, /*last_n=*/0), 2);
  off.accept(0);
  EXPECT_EQ(off.sample(logits), 0);

  Sampler s(greedy_with(2.0f, 0, 0), 2);
  s.accept(0);
  EXPECT_EQ(s.sample(logits), 1);
  s.reset();
  EXPECT_EQ(s.sample(logits), 0);
}

TEST(Sampler, PenaltiesApplyBeforeTopK) {
  SamplerParams p = greedy_with(3.0f, 0, 0);
  p.temperature = 1.0f;
  p.top_k = 1;
  Sampler s(p, 3);
  s.accept(0);  // 3.0 / 3 = 1.0 < 2.0: top-1 is now token 1
  EXPECT_EQ(s.sample(std::vector<float>{3.0f, 2.0f, 0.0f}), 1);
}

std::vector<int32_t> sequence(uint64_t seed) {
  Sampler s(plain(seed), 1000);
  const std::vector<float> flat(1000, 0.0f);
  std::vector<int32_t> out;
  for (int i = 0; i < 64; ++i) out.push_back(s.sample(flat));
  return out;
}

TEST(Sampler, SameSeedSameSequence) { EXPECT_EQ(sequence(1234), sequence(1234)); }

TEST(Sampler, DifferentSeedDifferentSequence) { EXPECT_NE(sequence(1234), sequence(4321)); }

TEST(Sampler, RandomSeedWhenZero) { EXPECT_NE(sequence(0), sequence(0)); }

TEST(Sampler, RejectsBadSizesAndIds) {
  EXPECT_THROW(Sampler(plain(), 0), std::invalid_argument);
  Sampler s(plain(), 3);
  EXPECT_THROW(s.sample(std::vector<float>{1.0f, 2.0f}), std::invalid_argument);
  EXPECT_THROW(s.accept(3), std::out_of_range);
  EXPECT_THROW(s.accept(-1), std::out_of_range);
}

}  // namespace
}  // namespace rbee
