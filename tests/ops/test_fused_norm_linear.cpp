// An RMS norm of whole rows read only by linears runs inside them: each linear multiplies its
// input by the norm weight as it loads it, sums the squares beside the products and scales its
// results by the inverse RMS. The fused kernels must give what the separate ops give: with and
// without a norm weight, with Gemma's (1 + w), decode and batches, texel and storage inputs, a
// row length that is not a multiple of the 16-element chunks (the tail loop), and with the
// linear's residual add folded too.
#include "graph/fusion.hpp"
#include "ops/op_harness.hpp"

namespace rbee::test {
namespace {

struct NormCase {
  DType weight;
  uint32_t in, tokens;
  bool norm_weight;
  float weight_offset;
  bool storage;   // storage-buffer inputs where the device would read texels
  bool residual;  // the linear's output is added to a residual (folded too)
};

class FusedNormLinear : public ::testing::TestWithParam<NormCase> {};

TEST_P(FusedNormLinear, EqualsTheUnfusedOps) {
  const NormCase c = GetParam();
  const uint32_t out = 37;
  FusedComparison r = compare_fused(
      c.tokens, c.storage,
      [&](MemorySource& s) {
        s.add("x", DType::F32, {c.tokens, c.in}, random_values(size_t(c.tokens) * c.in, 1, -4.0f, 4.0f));
        s.add("g", DType::F32, {c.in}, random_values(c.in, 2, 0.5f, 1.5f));
        s.add("res", DType::F32, {c.tokens, out}, random_values(size_t(c.tokens) * out, 4));
        s.add_quantized("w", c.weight, {out, c.in}, random_values(size_t(out) * c.in, 3));
      },
      [&](OpHarness& h, const rbee_graph_api& api, rbee_graph* g) {
        rbee_norm_params p{sizeof p, RBEE_NORM_RMS, 1e-5f, c.weight_offset, 0};
        rbee_tensor normed = api.norm(g, h.input(g, "x"), c.norm_weight ? api.weight(g, "g") : RBEE_TENSOR_NONE,
                                      RBEE_TENSOR_NONE, &p);
        rbee_tensor y = api.linear(g, normed, api.weight(g, "w"), RBEE_TENSOR_NONE);
        return c.residual ? api.binary(g, h.input(g, "res"), y, RBEE_BINARY_ADD) : y;
      });
  EXPECT_EQ(r.folded.size(), c.residual ? 2u : 1u) << "the norm (and the linear) fold";
  EXPECT_TRUE(all_near(r.fused, to_double(r.separate), 1e-4, 1e-4));
}

INSTANTIATE_TEST_SUITE_P(Cases, FusedNormLinear,
                         ::testing::Values(NormCase{DType::F32, 256, 1, true, 0.0f, false, false},
                                           NormCase{DType::Q8_0, 576, 1, true, 0.0f, false, true},
                                           NormCase{DType::Q8_0, 576, 1, true, 0.0f, true, true},
                                           NormCase{DType::Q4_K, 512, 9, true, 1.0f, false, false},
                                           NormCase{DType::Q4_K, 512, 9, true, 1.0f, true, false},
                                           NormCase{DType::Q6_K, 256, 70, false, 0.0f, false, true},
                                           NormCase{DType::F16, 100, 9, true, 0.0f, false, false},
                                           NormCase{DType::F32, 37, 1, true, 0.0f, true, false}),
                         [](const auto& i) {
                           const NormCase& c = i.param;
                           return std::string(dtype_name(c.weight)) + "_in" + std::to_string(c.in) + "_tokens" +
                                  std::to_string(c.tokens) + (c.norm_weight ? "_weight" : "_no_weight") +
                                  (c.weight_offset != 0.0f ? "_offset" : "") + (c.storage ? "_storage" : "") +
                                  (c.residual ? "_residual" : "");
                         });

// Only an RMS norm of whole rows without bias, every reader of which is a linear reading it as
// its input, folds: not one that something else also reads, not a per-head norm, not a layer
// norm, not the output.
TEST(FusedNormLinearRules, OnlyWholeRowRmsNormsReadByLinearsFold) {
  MemorySource source;
  source.add("a", DType::F32, {1, 64}, random_values(64, 1));
  source.add("g", DType::F32, {64}, random_values(64, 2));
  source.add("h", DType::F32, {16}, random_values(16, 3));
  source.add("w", DType::F32, {64, 64}, random_values(64 * 64, 4));
  Graph graph(source, 1, true, 256);
  auto* g = reinterpret_cast<rbee_graph*>(&graph);
  const rbee_graph_api& api = *graph_api();
  rbee_tensor x = api.embed(g, api.weight(g, "a"), api.input_tokens(g));
  rbee_tensor w = api.weight(g, "w");
  rbee_norm_params rms{sizeof rms, RBEE_NORM_RMS, 1e-5f, 0.0f, 0};
  rbee_norm_params heads{sizeof heads, RBEE_NORM_RMS, 1e-5f, 0.0f, 16};
  rbee_norm_params layer{sizeof layer, RBEE_NORM_LAYER, 1e-5f, 0.0f, 0};
  rbee_tensor two_linears = api.norm(g, x, api.weight(g, "g"), RBEE_TENSOR_NONE, &rms);
  rbee_tensor also_added = api.norm(g, x, api.weight(g, "g"), RBEE_TENSOR_NONE, &rms);
  rbee_tensor per_head = api.norm(g, x, api.weight(g, "h"), RBEE_TENSOR_NONE, &heads);
  rbee_tensor layer_norm = api.norm(g, x, api.weight(g, "g"), RBEE_TENSOR_NONE, &layer);
  rbee_tensor sum = api.binary(g, api.linear(g, two_linears, w, RBEE_TENSOR_NONE),
                               api.linear(g, two_linears, w, RBEE_TENSOR_NONE), RBEE_BINARY_ADD);
  sum = api.binary(g, sum, api.linear(g, also_added, w, RBEE_TENSOR_NONE), RBEE_BINARY_ADD);
  sum = api.binary(g, sum, also_added, RBEE_BINARY_ADD);
  sum = api.binary(g, sum, api.linear(g, per_head, w, RBEE_TENSOR_NONE), RBEE_BINARY_ADD);
  sum = api.binary(g, sum, api.linear(g, layer_norm, w, RBEE_TENSOR_NONE), RBEE_BINARY_ADD);
  rbee_tensor output = api.norm(g, sum, api.weight(g, "g"), RBEE_TENSOR_NONE, &rms);
  api.set_output(g, output);
  ASSERT_EQ(graph.error(), "");
  Fusions f = find_fusions(graph, {});
  EXPECT_TRUE(f.folded[two_linears - 1]);
  EXPECT_FALSE(f.folded[also_added - 1]);
  EXPECT_FALSE(f.folded[per_head - 1]);
  EXPECT_FALSE(f.folded[layer_norm - 1]);
  EXPECT_FALSE(f.folded[output - 1]);
  EXPECT_FALSE(find_fusions(graph, {.enabled = false}).folded[two_linears - 1]);
  EXPECT_FALSE(find_fusions(graph, {.inputs = false}).folded[two_linears - 1]);
}

}  // namespace
}  // namespace rbee::test
