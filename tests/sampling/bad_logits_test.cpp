// Logits no token can be drawn from (a broken model's) are an error, not token 0.
#include <cmath>
#include <limits>
#include <vector>

#include <gtest/gtest.h>

#include "sampling/logit_check.hpp"
#include "sampling/sampler.hpp"

namespace rbee {
namespace {

constexpr float kNan = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

SamplerParams greedy() {
  SamplerParams p;
  p.temperature = 0;
  return p;
}

void expect_bad(const std::vector<float>& logits, const char* what) {
  for (const SamplerParams& params : {greedy(), SamplerParams{.seed = 1}}) {
    Sampler sampler(params, logits.size());
    try {
      sampler.sample(logits);
      ADD_FAILURE() << "sampled from logits with " << what;
    } catch (const BadLogits& e) {
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
  }
}

TEST(UnusableLogits, AllNan) { expect_bad({kNan, kNan, kNan}, "NaN"); }
TEST(UnusableLogits, OneNan) { expect_bad({1.f, kNan, 0.5f}, "NaN"); }
TEST(UnusableLogits, PlusInfinity) { expect_bad({1.f, kInf, 0.5f}, "infinite"); }
TEST(UnusableLogits, AllMinusInfinity) { expect_bad({-kInf, -kInf}, "no finite logit"); }

TEST(UnusableLogits, SomeMinusInfinityIsFine) {
  Sampler sampler(greedy(), 3);
  EXPECT_EQ(sampler.sample(std::vector<float>{-kInf, 2.f, 1.f}), 1);
}

TEST(UnusableLogits, DeviceTopKWithNanFirst) {
  Sampler sampler(greedy(), 8);
  const std::vector<Candidate> best{{0, kNan}};
  EXPECT_THROW(sampler.sample_top(best), BadLogits);
  Sampler drawing(SamplerParams{.top_k = 2, .seed = 1}, 8);
  EXPECT_THROW(drawing.sample_top(std::vector<Candidate>{{3, 1.f}, {0, kNan}}), BadLogits);
  EXPECT_EQ(drawing.sample_top(std::vector<Candidate>{{3, 1.f}, {0, -kInf}}), 3);
}

}  // namespace
}  // namespace rbee
