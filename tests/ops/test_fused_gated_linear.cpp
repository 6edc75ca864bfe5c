// A gated unit read only by a linear is folded into it (the linear applies act(gate) * up as
// it loads its input). The fused kernels must give what the separate ops give.
#include "graph/fusion.hpp"
#include "ops/op_harness.hpp"

namespace rbee::test {
namespace {

struct FusedCase {
  DType weight;
  uint32_t tokens;
  rbee_unary_op act;
};

class FusedGatedLinear : public ::testing::TestWithParam<FusedCase> {};

TEST_P(FusedGatedLinear, EqualsTheUnfusedOps) {
  const FusedCase c = GetParam();
  const uint32_t in = 512, out = 37;
  auto run = [&](bool portable) {
    OpHarness h;
    if (portable) {  // no subgroup kernels: nothing is folded
      KernelConfig k = KernelConfig::for_device(gpu().device->info());
      k.subgroup_wg = 0;
      h.use_kernels(k);
    }
    h.source().add("gate", DType::F32, {c.tokens, in}, random_values(size_t(c.tokens) * in, 1, -3.0f, 3.0f));
    h.source().add("up", DType::F32, {c.tokens, in}, random_values(size_t(c.tokens) * in, 2));
    if (c.weight == DType::F32)
      h.source().add("w", DType::F32, {out, in}, random_values(size_t(out) * in, 3));
    else
      h.source().add_quantized("w", c.weight, {out, in}, random_values(size_t(out) * in, 3));
    return h.eval(c.tokens, [&](const rbee_graph_api& api, rbee_graph* g) {
      rbee_tensor unit = api.gated(g, h.input(g, "gate"), h.input(g, "up"), c.act);
      return api.linear(g, unit, api.weight(g, "w"), RBEE_TENSOR_NONE);
    });
  };
  std::vector<float> fused = run(false), separate = run(true);
  std::vector<double> want(separate.begin(), separate.end());
  EXPECT_TRUE(all_near(fused, want, 1e-4, 1e-4));
}

INSTANTIATE_TEST_SUITE_P(Cases, FusedGatedLinear,
                         ::testing::Values(FusedCase{DType::F32, 1, RBEE_UNARY_SILU}, FusedCase{DType::Q4_K, 1, RBEE_UNARY_SILU},
                                           FusedCase{DType::Q8_0, 9, RBEE_UNARY_GELU},
                                           FusedCase{DType::Q6_K, 9, RBEE_UNARY_GELU_TANH},
                                           FusedCase{DType::F16, 2, RBEE_UNARY_RELU}),
                         [](const auto& i) {
                           return std::string(dtype_name(i.param.weight)) + "_tokens" + std::to_string(i.param.tokens) +
                                  "_act" + std::to_string(i.param.act);
                         });

// A unit that something else also reads, or that is the output, stays a dispatch of its own.
TEST(FusedGatedLinearRules, OnlyASoleLinearReaderFolds) {
  MemorySource source;
  source.add("a", DType::F32, {1, 64}, random_values(64, 1));
  source.add("w", DType::F32, {8, 64}, random_values(512, 2));
  Graph graph(source, 1, true, 256);
  auto* g = reinterpret_cast<rbee_graph*>(&graph);
  const rbee_graph_api& api = *graph_api();
  rbee_tensor x = api.embed(g, api.weight(g, "a"), api.input_tokens(g));
  rbee_tensor sole = api.gated(g, x, x, RBEE_UNARY_SILU);
  rbee_tensor shared = api.gated(g, x, x, RBEE_UNARY_SILU);
  rbee_tensor y = api.linear(g, sole, api.weight(g, "w"), RBEE_TENSOR_NONE);
  rbee_tensor z = api.linear(g, shared, api.weight(g, "w"), RBEE_TENSOR_NONE);
  api.set_output(g, api.binary(g, api.binary(g, y, z, RBEE_BINARY_ADD), api.linear(g, shared, api.weight(g, "w"), RBEE_TENSOR_NONE), RBEE_BINARY_ADD));
  ASSERT_EQ(graph.error(), "");
  Fusions f = find_fusions(graph, true);
  EXPECT_TRUE(f.folded[sole - 1]);
  EXPECT_FALSE(f.folded[shared - 1]);
  EXPECT_FALSE(find_fusions(graph, false).folded[sole - 1]);
}

}  // namespace
}  // namespace rbee::test
