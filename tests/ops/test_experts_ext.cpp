// rbee.graph.experts/1 (gpt-oss's experts): a whole gpt-oss expert block against a double
// reference (transformers' GptOssExperts): router, gate_up experts with biases, outputs
// interleaved (gate even, up odd), the clamped SwiGLU, down experts with biases, combined by
// weight; experts stored transposed in float ([E, in, out], experts_transposed) and as MXFP4
// [E, out, in] (experts), on the decode and batched paths. Then the clamped SwiGLU alone and
// the refusals of bad arguments.
#include <algorithm>
#include <numeric>

#include "ops/op_harness.hpp"

namespace rbee::test {
namespace {

constexpr float kAlpha = 1.702f, kLimit = 7.0f;

double clamped_swiglu(double gate, double up) {
  gate = std::min(gate, double(kLimit));
  up = std::clamp(up, -double(kLimit), double(kLimit));
  return (up + 1) * gate / (1 + std::exp(-double(kAlpha) * gate));
}

struct BlockCase {
  uint32_t tokens;
  bool mxfp4;  // experts stored as released (MXFP4 [E, out, in]) instead of float [E, in, out]
};

class GptOssExpertsTest : public ::testing::TestWithParam<BlockCase> {};

TEST_P(GptOssExpertsTest, MatchesReference) {
  const BlockCase c = GetParam();
  const uint32_t E = 4, k = 2, hidden = 64, ff = 32;
  OpHarness h({}, std::max(256u, c.tokens));
  // Inputs large enough that the clamp bites for some units.
  std::vector<float> x = h.source().add("x", DType::F32, {c.tokens, hidden}, random_values(size_t(c.tokens) * hidden, 1, -3, 3));
  std::vector<float> logits = h.source().add("logits", DType::F32, {c.tokens, E}, random_values(size_t(c.tokens) * E, 2, -2, 2));
  // w[e][o][i] as the reference reads it; stored transposed in float, as is in MXFP4.
  auto add_experts = [&](const std::string& name, uint32_t out, uint32_t in, uint32_t seed) {
    std::vector<float> w = random_values(size_t(E) * out * in, seed, -0.5f, 0.5f);
    if (c.mxfp4) return h.source().add_quantized(name, DType::MXFP4, {E, out, in}, w);
    std::vector<float> t(w.size());
    for (uint32_t e = 0; e < E; ++e)
      for (uint32_t o = 0; o < out; ++o)
        for (uint32_t i = 0; i < in; ++i) t[(size_t(e) * in + i) * out + o] = w[(size_t(e) * out + o) * in + i];
    h.source().add(name, DType::F32, {E, in, out}, t);
    return w;
  };
  std::vector<float> gate_up = add_experts("gate_up", 2 * ff, hidden, 10);
  std::vector<float> down = add_experts("down", hidden, ff, 20);
  std::vector<float> gate_up_b = h.source().add("gate_up_b", DType::F32, {E, 2 * ff}, random_values(size_t(E) * 2 * ff, 30, -1, 1));
  std::vector<float> down_b = h.source().add("down_b", DType::F32, {E, hidden}, random_values(size_t(E) * hidden, 40, -1, 1));
  const rbee_moe_route_params p{sizeof p, E, k, RBEE_MOE_SOFTMAX, 1};

  std::vector<float> got = h.eval(c.tokens, [&](const rbee_graph_api& api, rbee_graph* g) {
    const rbee_graph_moe_api* moe = graph_moe_api();
    const rbee_graph_experts_api* ex = graph_experts_api();
    auto experts = [&](const char* name) { return c.mxfp4 ? moe->experts(g, name, E) : ex->experts_transposed(g, name, E); };
    rbee_tensor r = moe->moe_route(g, h.input(g, "logits"), RBEE_TENSOR_NONE, &p);
    rbee_tensor gu = ex->moe_linear_bias(g, h.input(g, "x"), experts("gate_up"), api.weight(g, "gate_up_b"), r);
    rbee_tensor act = ex->clamped_swiglu(g, api.slice(g, gu, ff, 0, 1), api.slice(g, gu, ff, 1, 1), kAlpha, kLimit);
    return moe->moe_combine(g, ex->moe_linear_bias(g, act, experts("down"), api.weight(g, "down_b"), r), r);
  });

  std::vector<double> want(size_t(c.tokens) * hidden, 0.0), scale(want.size(), 0.0);
  for (uint32_t t = 0; t < c.tokens; ++t) {
    const float* lt = &logits[size_t(t) * E];
    std::vector<uint32_t> ids(E);
    std::iota(ids.begin(), ids.end(), 0u);
    std::stable_sort(ids.begin(), ids.end(), [&](uint32_t a, uint32_t b) { return lt[a] > lt[b]; });
    ids.resize(k);
    double mx = lt[ids[0]], sum = 0;  // softmax over the chosen logits
    for (uint32_t e : ids) sum += std::exp(lt[e] - mx);
    for (uint32_t e : ids) {
      const double weight = std::exp(lt[e] - mx) / sum;
      std::vector<double> a(ff);
      for (uint32_t f = 0; f < ff; ++f) {
        double g = gate_up_b[size_t(e) * 2 * ff + 2 * f], u = gate_up_b[size_t(e) * 2 * ff + 2 * f + 1];
        for (uint32_t i = 0; i < hidden; ++i) {
          g += double(gate_up[(size_t(e) * 2 * ff + 2 * f) * hidden + i]) * x[size_t(t) * hidden + i];
          u += double(gate_up[(size_t(e) * 2 * ff + 2 * f + 1) * hidden + i]) * x[size_t(t) * hidden + i];
        }
        a[f] = clamped_swiglu(g, u);
      }
      for (uint32_t o = 0; o < hidden; ++o) {
        double s = down_b[size_t(e) * hidden + o], abs_sum = std::abs(s);
        for (uint32_t f = 0; f < ff; ++f) {
          double v = double(down[(size_t(e) * hidden + o) * ff + f]) * a[f];
          s += v;
          abs_sum += std::abs(v);
        }
        want[size_t(t) * hidden + o] += weight * s;
        scale[size_t(t) * hidden + o] += weight * abs_sum;
      }
    }
  }
  EXPECT_TRUE(all_near(got, want, 1e-4, 1e-4, &scale));
}

INSTANTIATE_TEST_SUITE_P(Blocks, GptOssExpertsTest,
                         ::testing::Values(BlockCase{1, false}, BlockCase{5, false}, BlockCase{64, false}, BlockCase{1, true},
                                           BlockCase{64, true}),
                         [](const ::testing::TestParamInfo<BlockCase>& i) {
                           return (i.param.mxfp4 ? "mxfp4_tokens" : "float_transposed_tokens") + std::to_string(i.param.tokens);
                         });

TEST(ClampedSwiglu, MatchesReferenceAcrossTheClamp) {
  OpHarness h;
  const uint32_t rows = 9, cols = 65;
  std::vector<float> a = h.source().add("a", DType::F32, {rows, cols}, random_values(size_t(rows) * cols, 1, -12, 12));
  std::vector<float> b = h.source().add("b", DType::F32, {rows, cols}, random_values(size_t(rows) * cols, 2, -12, 12));
  std::vector<float> got = h.eval(rows, [&](const rbee_graph_api&, rbee_graph* g) {
    return graph_experts_api()->clamped_swiglu(g, h.input(g, "a"), h.input(g, "b"), kAlpha, kLimit);
  });
  std::vector<double> want;
  for (size_t i = 0; i < a.size(); ++i) want.push_back(clamped_swiglu(a[i], b[i]));
  EXPECT_TRUE(all_near(got, want, 1e-5, 1e-5));
}

TEST(ExpertsExtension, RefusesWhatDoesNotFit) {
  OpHarness h({{sizeof(rbee_kv_layout), 1, 16, 16, 0}}, 16);
  h.source().add("x", DType::F32, {4, 16}, random_values(64, 1));
  h.source().add("logits", DType::F32, {4, 4}, random_values(16, 2));
  h.source().add("w", DType::F32, {4, 16, 8}, random_values(4 * 16 * 8, 3));
  h.source().add("bias_wrong", DType::F32, {4, 16}, random_values(64, 4));
  h.source().add("sinks_wrong", DType::F32, {3}, random_values(3, 5));
  // The graph's error (compile throws it), or "" when it builds.
  auto fails = [&](const char* what, const BuildFn& build) -> std::string {
    try {
      h.compile(4, build);
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    ADD_FAILURE() << what << ": built";
    return "";
  };
  const rbee_moe_route_params p{sizeof p, 4, 2, RBEE_MOE_SOFTMAX, 1};
  EXPECT_NE(fails("biases", [&](const rbee_graph_api& api, rbee_graph* g) {
              rbee_tensor r = graph_moe_api()->moe_route(g, h.input(g, "logits"), RBEE_TENSOR_NONE, &p);
              return graph_experts_api()->moe_linear_bias(g, h.input(g, "x"), graph_experts_api()->experts_transposed(g, "w", 4),
                                                          api.weight(g, "bias_wrong"), r);
            }).find("bias_wrong"),
            std::string::npos);
  EXPECT_NE(fails("alpha", [&](const rbee_graph_api&, rbee_graph* g) {
              return graph_experts_api()->clamped_swiglu(g, h.input(g, "x"), h.input(g, "x"), 0.0f, kLimit);
            }).find("alpha"),
            std::string::npos);
  EXPECT_NE(fails("sinks", [&](const rbee_graph_api& api, rbee_graph* g) {
              rbee_attention_params a{sizeof a, 0, 1, 1, 16, 16, 0.25f};
              a.sinks = api.weight(g, "sinks_wrong");
              rbee_tensor x = h.input(g, "x");
              return api.attention(g, x, x, x, &a);
            }).find("sinks_wrong"),
            std::string::npos);
}

}  // namespace
}  // namespace rbee::test
