// rope: NORMAL (adjacent pairs) and NEOX (halves), full and partial rotary, no / linear /
// llama3 / YaRN scaling, an optional freq_factors tensor, LongRoPE's factors given by value and
// its attention factor; each graph is run at n_past 0 and again at a later position to check that
// positions come from the step values, not the recording.
#include <numbers>

#include "ops/op_harness.hpp"

namespace rbee::test {
namespace {

struct RopeCase {
  const char* name;
  uint32_t n_heads, head_dim, n_rot, mode, scaling;
  float theta = 10000.0f, factor = 1.0f, low = 1.0f, high = 4.0f;
  uint32_t original = 64;
  bool freq_factors = false;
  uint32_t tokens = 7;
  bool value_factors = false;  // rbee_rope_params.factors
  float attn_factor = 0;       // 0: 1
  float beta_fast = 32, beta_slow = 1;  // YaRN
};

// The angle per position of pair j, straight from the definitions (transformers' inv_freq
// and its llama3 variant), in double.
double inv_freq(const RopeCase& c, uint32_t j, const std::vector<float>& factors) {
  double inv = 1.0 / std::pow(double(c.theta), 2.0 * j / c.n_rot);
  if (c.scaling == RBEE_ROPE_SCALING_LINEAR) inv /= c.factor;
  if (c.scaling == RBEE_ROPE_SCALING_LLAMA3) {
    double wavelen = 2 * std::numbers::pi / inv;
    double low_wavelen = c.original / c.low, high_wavelen = c.original / c.high;
    if (wavelen > low_wavelen) {
      inv = inv / c.factor;
    } else if (wavelen >= high_wavelen) {
      double smooth = (c.original / wavelen - c.low) / (c.high - c.low);
      inv = (1 - smooth) * inv / c.factor + smooth * inv;
    }
  }
  if (c.scaling == RBEE_ROPE_SCALING_YARN) {  // transformers' _compute_yarn_parameters, truncate=True
    auto correction_dim = [&](double rot) {
      return c.n_rot * std::log(c.original / (rot * 2 * std::numbers::pi)) / (2 * std::log(double(c.theta)));
    };
    double low = std::max(std::floor(correction_dim(c.beta_fast)), 0.0);
    double high = std::min(std::ceil(correction_dim(c.beta_slow)), double(c.n_rot - 1));
    if (low == high) high += 0.001;
    double extrapolation = 1 - std::clamp((j - low) / (high - low), 0.0, 1.0);
    inv = inv / c.factor * (1 - extrapolation) + inv * extrapolation;
  }
  if (!factors.empty()) inv /= factors[j];
  return inv;
}

std::vector<double> reference(const RopeCase& c, const std::vector<float>& x, uint32_t first_row, uint32_t n_past,
                              const std::vector<float>& factors) {
  const uint32_t width = c.n_heads * c.head_dim;
  std::vector<double> out(size_t(c.tokens) * width);
  for (uint32_t t = 0; t < c.tokens; ++t) {
    const float* row = &x[size_t(first_row + t) * width];
    double* o = &out[size_t(t) * width];
    for (uint32_t i = 0; i < width; ++i) o[i] = row[i];
    for (uint32_t h = 0; h < c.n_heads; ++h)
      for (uint32_t j = 0; j < c.n_rot / 2; ++j) {
        uint32_t a = h * c.head_dim + (c.mode == RBEE_ROPE_NEOX ? j : 2 * j);
        uint32_t b = h * c.head_dim + (c.mode == RBEE_ROPE_NEOX ? j + c.n_rot / 2 : 2 * j + 1);
        double angle = double(n_past + t) * inv_freq(c, j, factors);
        double mscale = c.attn_factor == 0 ? 1.0 : c.attn_factor;
        double cos_a = std::cos(angle) * mscale, sin_a = std::sin(angle) * mscale;
        o[a] = row[a] * cos_a - row[b] * sin_a;
        o[b] = row[a] * sin_a + row[b] * cos_a;
      }
  }
  return out;
}

class RopeTest : public ::testing::TestWithParam<RopeCase> {};

TEST_P(RopeTest, MatchesReferenceAtTwoPositions) {
  const RopeCase c = GetParam();
  const uint32_t width = c.n_heads * c.head_dim;
  OpHarness h;
  std::vector<float> x = h.source().add("x", DType::F32, {2 * c.tokens, width}, random_values(size_t(2) * c.tokens * width, width));
  std::vector<float> factors;
  std::vector<float> by_value;
  if (c.freq_factors) factors = h.source().add("rope_freqs", DType::F32, {c.n_rot / 2}, random_values(c.n_rot / 2, 5, 1.0f, 8.0f));
  if (c.value_factors) factors = by_value = random_values(c.n_rot / 2, 6, 1.0f, 40.0f);
  auto cg = h.compile(c.tokens, [&](const rbee_graph_api& api, rbee_graph* g) {
    rbee_rope_params p{sizeof p, c.n_heads, c.head_dim, c.n_rot, c.mode, c.theta, c.scaling, c.factor, c.low, c.high, c.original,
                       c.attn_factor, by_value.empty() ? nullptr : by_value.data(), uint32_t(by_value.size()), c.beta_fast,
                       c.beta_slow};
    return api.rope(g, h.input(g, "x"), c.freq_factors ? api.weight(g, "rope_freqs") : RBEE_TENSOR_NONE, &p);
  });
  // Angles reach ~50 rad: float32 position * frequency is good to ~1e-5 there.
  std::vector<float> first = OpHarness::run(*cg, iota_ids(c.tokens), 0);
  EXPECT_TRUE(all_near(first, reference(c, x, 0, 0, factors), 5e-5, 1e-5)) << "n_past 0";
  const uint32_t n_past = 41;
  std::vector<float> later = OpHarness::run(*cg, iota_ids(c.tokens, int32_t(c.tokens)), n_past);
  EXPECT_TRUE(all_near(later, reference(c, x, c.tokens, n_past, factors), 5e-5, 1e-5)) << "n_past " << n_past;
}

std::vector<RopeCase> cases() {
  RopeCase normal{"normal_full_d64", 3, 64, 64, RBEE_ROPE_NORMAL, RBEE_ROPE_SCALING_NONE};
  RopeCase neox{"neox_full_d130", 2, 130, 130, RBEE_ROPE_NEOX, RBEE_ROPE_SCALING_NONE};
  neox.tokens = 9;
  RopeCase normal_partial{"normal_partial_32_of_64", 4, 64, 32, RBEE_ROPE_NORMAL, RBEE_ROPE_SCALING_NONE};
  RopeCase neox_partial{"neox_partial_24_of_130", 3, 130, 24, RBEE_ROPE_NEOX, RBEE_ROPE_SCALING_NONE};
  RopeCase linear{"neox_linear_x4", 2, 16, 16, RBEE_ROPE_NEOX, RBEE_ROPE_SCALING_LINEAR};
  linear.factor = 4;
  RopeCase llama3{"normal_llama3", 4, 16, 16, RBEE_ROPE_NORMAL, RBEE_ROPE_SCALING_LLAMA3};
  llama3.factor = 8;
  RopeCase llama3_neox{"neox_llama3_partial_d64", 2, 64, 48, RBEE_ROPE_NEOX, RBEE_ROPE_SCALING_LLAMA3};
  llama3_neox.factor = 8;
  llama3_neox.theta = 500000;
  llama3_neox.original = 256;
  RopeCase factors_normal{"normal_freq_factors", 2, 64, 64, RBEE_ROPE_NORMAL, RBEE_ROPE_SCALING_NONE};
  factors_normal.freq_factors = true;
  RopeCase factors_neox{"neox_partial_freq_factors_linear", 2, 130, 64, RBEE_ROPE_NEOX, RBEE_ROPE_SCALING_LINEAR};
  factors_neox.freq_factors = true;
  factors_neox.factor = 2;
  RopeCase one_token{"normal_one_token", 1, 2, 2, RBEE_ROPE_NORMAL, RBEE_ROPE_SCALING_NONE};
  one_token.tokens = 1;
  RopeCase many_tokens{"neox_64_tokens", 2, 64, 64, RBEE_ROPE_NEOX, RBEE_ROPE_SCALING_NONE};
  many_tokens.tokens = 64;
  // Phi-3's LongRoPE: per-pair divisors from config.json and an attention factor.
  RopeCase longrope{"neox_longrope_factors_by_value", 4, 96, 96, RBEE_ROPE_NEOX, RBEE_ROPE_SCALING_NONE};
  longrope.value_factors = true;
  longrope.attn_factor = 1.19f;
  RopeCase attn_factor_only{"normal_partial_attn_factor", 2, 64, 32, RBEE_ROPE_NORMAL, RBEE_ROPE_SCALING_NONE};
  attn_factor_only.attn_factor = 0.5f;
  // DeepSeek's YaRN (pairs, 8 rotary dims, factor 4 over 64 positions) and Qwen's (halves,
  // factor 4 over 4096 positions, its own attention factor), and other correction betas.
  RopeCase yarn_pairs{"normal_yarn_deepseek", 4, 8, 8, RBEE_ROPE_NORMAL, RBEE_ROPE_SCALING_YARN};
  yarn_pairs.factor = 4;
  yarn_pairs.original = 64;
  RopeCase yarn_neox{"neox_yarn_qwen", 2, 128, 128, RBEE_ROPE_NEOX, RBEE_ROPE_SCALING_YARN};
  yarn_neox.factor = 4;
  yarn_neox.original = 4096;
  yarn_neox.theta = 1000000;
  yarn_neox.attn_factor = 1.1386f;
  RopeCase yarn_betas{"neox_yarn_betas", 2, 64, 64, RBEE_ROPE_NEOX, RBEE_ROPE_SCALING_YARN};
  yarn_betas.factor = 8;
  yarn_betas.original = 2048;
  yarn_betas.beta_fast = 16;
  yarn_betas.beta_slow = 2;
  return {normal, neox, normal_partial, neox_partial, linear, llama3, llama3_neox, factors_normal, factors_neox,
          one_token, many_tokens, longrope, attn_factor_only, yarn_pairs, yarn_neox, yarn_betas};
}

INSTANTIATE_TEST_SUITE_P(Modes, RopeTest, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<RopeCase>& i) { return std::string(i.param.name); });

}  // namespace
}  // namespace rbee::test
