// Mixture of experts: moe_route against a CPU reference (softmax and sigmoid scores, with and
// without renormalization, a selection bias, group-limited choice, ties, k = 1 and k = all
// experts, batches of 1, 3 and 300 tokens); a whole expert FFN (moe_linear for gate, up and
// down, then moe_combine) against a double reference, for experts stored as one 3-D tensor and
// as one tensor per expert, float and quantized, on the decode and the batched paths, and which
// kernels run quantized experts.
#include <gmock/gmock.h>

#include <algorithm>
#include <numeric>

#include "graph/weight_kernel.hpp"
#include "ops/op_harness.hpp"

namespace rbee::test {
namespace {

struct Route {
  std::vector<uint32_t> ids;
  std::vector<double> weights;
};

// The routing of one token, straight from the definitions (transformers' Mixtral/Qwen-MoE and
// DeepSeek-V3 gates); equal choice values go to the lower id, as in the kernel.
Route reference_route(const float* logits, const std::vector<float>& bias, const rbee_moe_route_params& p) {
  const uint32_t E = p.n_expert;
  std::vector<double> score(E), choice(E);
  double mx = *std::max_element(logits, logits + E), sum = 0;
  for (uint32_t e = 0; e < E; ++e) sum += std::exp(double(logits[e]) - mx);
  for (uint32_t e = 0; e < E; ++e) {
    score[e] = p.gating == RBEE_MOE_SIGMOID ? 1 / (1 + std::exp(-double(logits[e]))) : std::exp(double(logits[e]) - mx) / sum;
    choice[e] = score[e] + (bias.empty() ? 0.0 : bias[e]);
  }
  auto best_of = [&](std::vector<uint32_t> candidates, uint32_t n) {
    std::stable_sort(candidates.begin(), candidates.end(), [&](uint32_t a, uint32_t b) { return choice[a] > choice[b]; });
    candidates.resize(n);
    return candidates;
  };
  std::vector<uint32_t> allowed(E);
  std::iota(allowed.begin(), allowed.end(), 0u);
  if (p.n_group > 1) {
    const uint32_t per = E / p.n_group;
    std::vector<double> group_score(p.n_group);
    for (uint32_t g = 0; g < p.n_group; ++g) {
      std::vector<uint32_t> members(per);
      std::iota(members.begin(), members.end(), g * per);
      for (uint32_t e : best_of(members, p.group_top)) group_score[g] += choice[e];
    }
    std::vector<uint32_t> groups(p.n_group);
    std::iota(groups.begin(), groups.end(), 0u);
    std::stable_sort(groups.begin(), groups.end(), [&](uint32_t a, uint32_t b) { return group_score[a] > group_score[b]; });
    allowed.clear();
    for (uint32_t i = 0; i < p.topk_group; ++i)
      for (uint32_t e = groups[i] * per; e < (groups[i] + 1) * per; ++e) allowed.push_back(e);
    std::sort(allowed.begin(), allowed.end());
  }
  Route r;
  r.ids = best_of(allowed, p.n_used);
  double total = 0;
  for (uint32_t e : r.ids) total += score[e];
  for (uint32_t e : r.ids) r.weights.push_back((p.normalize ? score[e] / total : score[e]) * (p.scale == 0 ? 1.0 : p.scale));
  return r;
}

struct RouteCase {
  const char* name;
  rbee_moe_route_params p;
  uint32_t tokens;
  bool bias = false;
  bool ties = false;  // logits quantized to a few values: many exact ties
};

class MoeRouteTest : public ::testing::TestWithParam<RouteCase> {};

TEST_P(MoeRouteTest, MatchesReference) {
  const RouteCase c = GetParam();
  const uint32_t E = c.p.n_expert, k = c.p.n_used;
  OpHarness h({}, std::max(256u, c.tokens));
  std::vector<float> values = random_values(size_t(c.tokens) * E, E + k, -3.0f, 3.0f);
  if (c.ties)
    for (float& v : values) v = std::round(v);
  std::vector<float> logits = h.source().add("logits", DType::F32, {c.tokens, E}, values);
  std::vector<float> bias;
  if (c.bias) bias = h.source().add("bias", DType::F32, {E}, random_values(E, 99, -0.5f, 0.5f));
  std::vector<float> got = h.eval(c.tokens, [&](const rbee_graph_api& api, rbee_graph* g) {
    return graph_moe_api()->moe_route(g, h.input(g, "logits"), c.bias ? api.weight(g, "bias") : RBEE_TENSOR_NONE, &c.p);
  });
  for (uint32_t t = 0; t < c.tokens; ++t) {
    Route want = reference_route(&logits[size_t(t) * E], bias, c.p);
    for (uint32_t j = 0; j < k; ++j) {
      ASSERT_EQ(uint32_t(got[t * 2 * k + j]), want.ids[j]) << "token " << t << " slot " << j;
      ASSERT_NEAR(got[t * 2 * k + k + j], want.weights[j], 1e-6 + 1e-5 * want.weights[j]) << "token " << t << " slot " << j;
    }
  }
}

rbee_moe_route_params route_params(uint32_t E, uint32_t k, rbee_moe_gating gating, bool normalize, float scale = 0,
                                   uint32_t groups = 0, uint32_t topk_group = 0, uint32_t group_top = 0) {
  return {sizeof(rbee_moe_route_params), E, k, uint32_t(gating), normalize, scale, groups, topk_group, group_top};
}

INSTANTIATE_TEST_SUITE_P(
    Gates, MoeRouteTest,
    ::testing::Values(RouteCase{"mixtral_8_top2_1tok", route_params(8, 2, RBEE_MOE_SOFTMAX, true), 1},
                      RouteCase{"mixtral_8_top2_3tok", route_params(8, 2, RBEE_MOE_SOFTMAX, true), 3},
                      RouteCase{"mixtral_8_top2_300tok", route_params(8, 2, RBEE_MOE_SOFTMAX, true), 300},
                      RouteCase{"qwen2moe_60_top4_unnormalized", route_params(60, 4, RBEE_MOE_SOFTMAX, false), 3},
                      RouteCase{"k1", route_params(16, 1, RBEE_MOE_SOFTMAX, false), 300},
                      RouteCase{"k_all_experts", route_params(6, 6, RBEE_MOE_SOFTMAX, true), 3},
                      RouteCase{"ties_top3", route_params(16, 3, RBEE_MOE_SOFTMAX, true), 300, false, true},
                      RouteCase{"ties_k_all", route_params(5, 5, RBEE_MOE_SOFTMAX, false), 3, false, true},
                      RouteCase{"sigmoid_bias_scaled", route_params(32, 4, RBEE_MOE_SIGMOID, true, 2.5f), 300, true},
                      RouteCase{"deepseek_v3_groups", route_params(64, 8, RBEE_MOE_SIGMOID, true, 2.5f, 8, 4, 2), 300, true},
                      RouteCase{"deepseek_v2_groups_max", route_params(64, 6, RBEE_MOE_SOFTMAX, false, 16.0f, 8, 3, 1), 3},
                      RouteCase{"groups_with_ties", route_params(16, 4, RBEE_MOE_SIGMOID, true, 0, 4, 2, 2), 300, true, true}),
    [](const ::testing::TestParamInfo<RouteCase>& i) { return std::string(i.param.name); });

// One expert FFN: y[t] = sum_j w_j * down_e(silu(gate_e(x)) * up_e(x)), e = chosen expert j.
struct FfnCase {
  DType dtype;
  bool per_expert_tensors;
  uint32_t tokens;
  uint32_t n_expert = 5, k = 2, hidden = 256, ff = 40;
};

std::string ffn_name(const ::testing::TestParamInfo<FfnCase>& i) {
  std::string t(dtype_name(i.param.dtype));
  for (char& ch : t) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return t + (i.param.per_expert_tensors ? "_per_expert" : "_stacked") + "_tokens" + std::to_string(i.param.tokens) +
         "_k" + std::to_string(i.param.k);
}

class MoeFfnTest : public ::testing::TestWithParam<FfnCase> {};

TEST_P(MoeFfnTest, MatchesReference) {
  const FfnCase c = GetParam();
  const uint32_t E = c.n_expert;
  OpHarness h({}, std::max(256u, c.tokens));
  std::vector<float> x = h.source().add("x", DType::F32, {c.tokens, c.hidden}, random_values(size_t(c.tokens) * c.hidden, 1));
  std::vector<float> logits = h.source().add("logits", DType::F32, {c.tokens, E}, random_values(size_t(c.tokens) * E, 2, -2, 2));
  // Weights per projection, [E][out][in] as stored.
  auto add_experts = [&](const std::string& name, uint32_t out, uint32_t in, uint32_t seed) {
    std::vector<float> all;
    auto store = [&](const std::string& n, std::vector<uint64_t> shape, const std::vector<float>& v) {
      return c.dtype == DType::F32 || c.dtype == DType::F16 || c.dtype == DType::BF16 ? h.source().add(n, c.dtype, shape, v)
                                                                                       : h.source().add_quantized(n, c.dtype, shape, v);
    };
    if (c.per_expert_tensors) {
      for (uint32_t e = 0; e < E; ++e) {
        std::vector<float> v = store(name + "." + std::to_string(e), {out, in}, random_values(size_t(out) * in, seed + e));
        all.insert(all.end(), v.begin(), v.end());
      }
    } else {
      all = store(name, {E, out, in}, random_values(size_t(E) * out * in, seed));
    }
    return all;
  };
  std::vector<float> gate = add_experts("gate", c.ff, c.hidden, 10);
  std::vector<float> up = add_experts("up", c.ff, c.hidden, 20);
  std::vector<float> down = add_experts("down", c.hidden, c.ff, 30);
  rbee_moe_route_params p = route_params(E, c.k, RBEE_MOE_SOFTMAX, true);

  std::vector<float> got = h.eval(c.tokens, [&](const rbee_graph_api& api, rbee_graph* g) {
    auto experts = [&](const char* name) {
      return graph_moe_api()->experts(g, (std::string(name) + (c.per_expert_tensors ? ".%u" : "")).c_str(), E);
    };
    rbee_tensor in = h.input(g, "x");
    rbee_tensor r = graph_moe_api()->moe_route(g, h.input(g, "logits"), RBEE_TENSOR_NONE, &p);
    rbee_tensor hg = graph_moe_api()->moe_linear(g, in, experts("gate"), r);
    rbee_tensor hu = graph_moe_api()->moe_linear(g, in, experts("up"), r);
    rbee_tensor act = api.gated(g, hg, hu, RBEE_UNARY_SILU);
    return graph_moe_api()->moe_combine(g, graph_moe_api()->moe_linear(g, act, experts("down"), r), r);
  });

  std::vector<double> want(size_t(c.tokens) * c.hidden, 0.0), scale(want.size(), 0.0);
  for (uint32_t t = 0; t < c.tokens; ++t) {
    Route route = reference_route(&logits[size_t(t) * E], {}, p);
    const float* xt = &x[size_t(t) * c.hidden];
    for (uint32_t j = 0; j < c.k; ++j) {
      uint32_t e = route.ids[j];
      std::vector<double> a(c.ff);
      for (uint32_t f = 0; f < c.ff; ++f) {
        double sg = 0, su = 0;
        for (uint32_t i = 0; i < c.hidden; ++i) {
          sg += double(gate[(size_t(e) * c.ff + f) * c.hidden + i]) * xt[i];
          su += double(up[(size_t(e) * c.ff + f) * c.hidden + i]) * xt[i];
        }
        a[f] = sg / (1 + std::exp(-sg)) * su;
      }
      for (uint32_t o = 0; o < c.hidden; ++o) {
        double s = 0, abs_sum = 0;
        for (uint32_t f = 0; f < c.ff; ++f) {
          double v = double(down[(size_t(e) * c.hidden + o) * c.ff + f]) * a[f];
          s += v;
          abs_sum += std::abs(v);
        }
        want[size_t(t) * c.hidden + o] += route.weights[j] * s;
        scale[size_t(t) * c.hidden + o] += route.weights[j] * abs_sum;
      }
    }
  }
  EXPECT_TRUE(all_near(got, want, 1e-4, 1e-4, &scale));
}

INSTANTIATE_TEST_SUITE_P(
    Experts, MoeFfnTest,
    ::testing::Values(FfnCase{DType::F32, false, 1}, FfnCase{DType::F32, true, 3}, FfnCase{DType::F16, true, 1},
                      FfnCase{DType::F16, false, 64}, FfnCase{DType::BF16, true, 64}, FfnCase{DType::F32, false, 300},
                      FfnCase{DType::F32, false, 7, 4, 4, 256, 40}, FfnCase{DType::F32, true, 5, 6, 1, 256, 40},
                      // Quantized experts (rows of whole blocks): decode and batches.
                      FfnCase{DType::Q8_0, false, 1, 5, 2, 256, 256}, FfnCase{DType::Q8_0, true, 64, 5, 2, 256, 256},
                      FfnCase{DType::Q5_K, true, 1, 6, 3, 256, 256}, FfnCase{DType::MXFP4, false, 1, 5, 2, 64, 96},
                      FfnCase{DType::Q4_K, false, 3, 5, 2, 256, 256}, FfnCase{DType::Q6_K, false, 64, 5, 2, 256, 256}),
    ffn_name);

// Quantized experts, decode (1 token) and batches (5): on a CPU implementation matmul_rows'
// expert variants (moe_matvec_rows_<type>, moe_matmul_rows_<type>: a lane per output row),
// elsewhere moe_matvec(_texel)_<type> and moe_matmul(_texel)_<type>.
TEST(MoeKernels, PicksKernel) {
  const KernelConfig config = KernelConfig::for_device(gpu().device->info());
  if (!config.subgroup_wg) GTEST_SKIP() << "no subgroup arithmetic: no expert kernels";
  for (DType t : {DType::Q8_0, DType::Q4_K, DType::MXFP4}) {
    for (uint32_t tokens : {1u, 5u}) {
      const uint32_t E = 4, in = 256, out = 64;
      OpHarness h;
      h.source().add("x", DType::F32, {tokens, in}, random_values(size_t(tokens) * in, 1));
      h.source().add("logits", DType::F32, {tokens, E}, random_values(size_t(tokens) * E, 2, -2, 2));
      h.source().add_quantized("w", t, {E, out, in}, random_values(size_t(E) * out * in, 3));
      rbee_moe_route_params p = route_params(E, 2, RBEE_MOE_SOFTMAX, true);
      auto cg = h.compile(tokens, [&](const rbee_graph_api&, rbee_graph* g) {
        rbee_tensor r = graph_moe_api()->moe_route(g, h.input(g, "logits"), RBEE_TENSOR_NONE, &p);
        return graph_moe_api()->moe_linear(g, h.input(g, "x"), graph_moe_api()->experts(g, "w", E), r);
      }, true, true);
      OpHarness::run(*cg, iota_ids(tokens));
      if (cg->last_profile().empty()) GTEST_SKIP() << "no timestamps: dispatches cannot be named";
      std::vector<std::string> kernels;
      for (const auto& [kernel, seconds] : cg->last_profile()) kernels.push_back(kernel);
      using K = WeightKernel;
      const bool one = tokens == 1;
      const K want = config.row_kernels   ? (one ? K::MoeMatvecRows : K::MoeMatmulRows)
                     : config.texel_inputs ? (one ? K::MoeMatvecTexel : K::MoeMatmulTexel)
                                           : (one ? K::MoeMatvec : K::MoeMatmul);
      EXPECT_THAT(kernels, ::testing::Contains(weight_kernel(want, t))) << dtype_name(t) << ", " << tokens << " tokens";
    }
  }
}

}  // namespace
}  // namespace rbee::test
