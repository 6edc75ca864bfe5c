// The rotary embeddings of the keys and queries, read only by attention, are applied by the KV
// store as it writes the cache and by attention as it loads the queries. The fused path must
// give what the separate rope ops give,
// for both rotation layouts, partial rotary, frequency factors (tensor and by value) with an
// attention factor, f16 and f32 caches, and a prompt followed by decode steps.
#include "graph/fusion.hpp"
#include "ops/op_harness.hpp"

namespace rbee::test {
namespace {

struct RopeFusionCase {
  const char* name;
  uint32_t mode, n_rot;
  KvType kv;
  bool factors_tensor = false, factors_by_value = false;
  float attn_factor = 0;
};

class FusedRope : public ::testing::TestWithParam<RopeFusionCase> {};

TEST_P(FusedRope, EqualsTheSeparateRope) {
  const RopeFusionCase c = GetParam();
  const uint32_t heads = 4, kv_heads = 2, dim = 32, total = 12;
  std::vector<float> by_value = random_values(c.n_rot / 2, 9, 1.0f, 20.0f);
  auto run = [&](bool fused) {
    OpHarness h({{sizeof(rbee_kv_layout), kv_heads, dim, dim}}, 64, c.kv);
    if (!fused) {
      KernelConfig k = KernelConfig::for_device(gpu().device->info());
      k.subgroup_wg = 0;
      h.use_kernels(k);
    }
    h.source().add("q", DType::F32, {total, heads * dim}, random_values(total * heads * dim, 1));
    h.source().add("k", DType::F32, {total, kv_heads * dim}, random_values(total * kv_heads * dim, 2));
    h.source().add("v", DType::F32, {total, kv_heads * dim}, random_values(total * kv_heads * dim, 3));
    h.source().add("ff", DType::F32, {c.n_rot / 2}, random_values(c.n_rot / 2, 4, 1.0f, 8.0f));
    auto build = [&](const rbee_graph_api& api, rbee_graph* g) {
      rbee_rope_params rq{sizeof rq, heads, dim, c.n_rot, c.mode, 10000.0f, 0, 1, 1, 4, 0, c.attn_factor,
                          c.factors_by_value ? by_value.data() : nullptr, c.factors_by_value ? c.n_rot / 2 : 0u};
      rbee_rope_params rk = rq;
      rk.n_heads = kv_heads;
      rbee_tensor ff = c.factors_tensor ? api.weight(g, "ff") : RBEE_TENSOR_NONE;
      rbee_tensor q = api.rope(g, h.input(g, "q"), ff, &rq);
      rbee_tensor k = api.rope(g, h.input(g, "k"), ff, &rk);
      rbee_attention_params p{sizeof p, 0, heads, kv_heads, dim, dim, 0.17f};
      return api.attention(g, q, k, h.input(g, "v"), &p);
    };
    std::vector<float> out;
    auto prompt = h.compile(7, build);
    auto step = h.compile(1, build);
    if (fused) {  // both ropes fold into the attention
      Graph graph(h.source(), 1, true, 64);
      auto* g = reinterpret_cast<rbee_graph*>(&graph);
      graph_api()->set_output(g, build(*graph_api(), g));
      Fusions f = find_fusions(graph, {});
      EXPECT_EQ(std::count(f.key_rope_of.begin(), f.key_rope_of.end(), RBEE_TENSOR_NONE), long(f.key_rope_of.size()) - 1);
      EXPECT_EQ(std::count(f.query_rope_of.begin(), f.query_rope_of.end(), RBEE_TENSOR_NONE),
                long(f.query_rope_of.size()) - 1);
    }
    std::vector<float> a = OpHarness::run(*prompt, iota_ids(7), 0);
    out.insert(out.end(), a.begin(), a.end());
    for (uint32_t t = 7; t < total; ++t) {
      std::vector<float> b = OpHarness::run(*step, iota_ids(1, int32_t(t)), t);
      out.insert(out.end(), b.begin(), b.end());
    }
    return out;
  };
  std::vector<float> fused = run(true), separate = run(false);
  EXPECT_TRUE(all_near(fused, to_double(separate), 2e-5, 1e-4));
}

INSTANTIATE_TEST_SUITE_P(
    Layouts, FusedRope,
    ::testing::Values(RopeFusionCase{"normal_full_f32", RBEE_ROPE_NORMAL, 32, KvType::F32},
                      RopeFusionCase{"neox_full_f16", RBEE_ROPE_NEOX, 32, KvType::F16},
                      RopeFusionCase{"neox_partial_f32", RBEE_ROPE_NEOX, 16, KvType::F32},
                      RopeFusionCase{"normal_partial_factors_f16", RBEE_ROPE_NORMAL, 12, KvType::F16, true},
                      RopeFusionCase{"neox_longrope_f32", RBEE_ROPE_NEOX, 32, KvType::F32, false, true, 1.19f}),
    [](const ::testing::TestParamInfo<RopeFusionCase>& i) { return std::string(i.param.name); });

}  // namespace
}  // namespace rbee::test
