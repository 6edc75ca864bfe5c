// Sampling from the device's top-k must give exactly what sampling the whole row gives.
#include <algorithm>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "sampling/sampler.hpp"

namespace rbee {
namespace {

std::vector<float> random_row(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> d(0.0f, 2.0f);
  std::vector<float> row(n);
  for (float& v : row) v = std::round(d(rng) * 4.0f) / 4.0f;  // coarse: many ties
  return row;
}

// The k best as a device top-k returns them: best first, equal logits lower id first.
std::vector<Candidate> best_of(const std::vector<float>& row, uint32_t k) {
  std::vector<Candidate> all;
  for (size_t i = 0; i < row.size(); ++i) all.push_back({int32_t(i), row[i]});
  std::stable_sort(all.begin(), all.end(), [](const Candidate& a, const Candidate& b) { return a.logit > b.logit; });
  all.resize(k);
  return all;
}

TEST(SampleTop, EqualsSampleOnTheWholeRow) {
  for (SamplerParams p : {SamplerParams{.temperature = 0.0f}, SamplerParams{.temperature = 0.7f, .top_k = 10},
                          SamplerParams{.temperature = 1.3f, .top_k = 40, .top_p = 0.8f, .min_p = 0.1f},
                          SamplerParams{.temperature = 0.9f, .top_k = 1}}) {
    p.seed = 99;
    Sampler full(p, 500), top(p, 500);
    uint32_t k = top.candidates_needed(64);
    ASSERT_GT(k, 0u);
    for (uint32_t step = 0; step < 200; ++step) {
      std::vector<float> row = random_row(500, step);
      EXPECT_EQ(full.sample(row), top.sample_top(best_of(row, k))) << "step " << step << " k " << k;
    }
  }
}

TEST(SampleTop, WholeRowNeededForPenaltiesOrWideTopK) {
  EXPECT_EQ(Sampler(SamplerParams{.temperature = 0.0f}, 100).candidates_needed(64), 1u);
  EXPECT_EQ(Sampler(SamplerParams{.top_k = 40}, 100).candidates_needed(64), 40u);
  EXPECT_EQ(Sampler(SamplerParams{.top_k = 0}, 100).candidates_needed(64), 0u);
  EXPECT_EQ(Sampler(SamplerParams{.top_k = 100}, 1000).candidates_needed(64), 0u);
  EXPECT_EQ(Sampler(SamplerParams{.top_k = 40, .repeat_penalty = 1.1f}, 100).candidates_needed(64), 0u);
  EXPECT_EQ(Sampler(SamplerParams{.temperature = 0.0f, .presence_penalty = 0.5f}, 100).candidates_needed(64), 0u);
}

}  // namespace
}  // namespace rbee
