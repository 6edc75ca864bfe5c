// Fusions into the linear kernels: a gated unit read only by a linear (applied as the linear
// loads its input) and a residual add of a linear's output (added as it writes). The fused
// kernels must give what the separate ops give.
#include "graph/fusion.hpp"
#include "ops/op_harness.hpp"

namespace rbee::test {
namespace {

struct FusedCase {
  DType weight;
  uint32_t tokens;
  rbee_unary_op act;
  bool storage = false;  // storage-buffer inputs where the device would read texels
};

class FusedGatedLinear : public ::testing::TestWithParam<FusedCase> {};

TEST_P(FusedGatedLinear, EqualsTheUnfusedOps) {
  const FusedCase c = GetParam();
  const uint32_t in = 512, out = 37;
  auto run = [&](bool portable) {
    OpHarness h;
    KernelConfig k = KernelConfig::for_device(gpu().device->info());
    k.fold_inputs = true;             // whatever the device would choose
    if (portable) k.subgroup_wg = 0;  // no subgroup kernels: nothing is folded
    if (c.storage) k.texel_inputs = false;
    h.use_kernels(k);
    h.source().add("gate", DType::F32, {c.tokens, in}, random_values(size_t(c.tokens) * in, 1, -3.0f, 3.0f));
    h.source().add("up", DType::F32, {c.tokens, in}, random_values(size_t(c.tokens) * in, 2));
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
                                           FusedCase{DType::F16, 2, RBEE_UNARY_RELU},
                                           FusedCase{DType::Q4_K, 1, RBEE_UNARY_SILU, true},
                                           FusedCase{DType::Q8_0, 9, RBEE_UNARY_GELU, true}),
                         [](const auto& i) {
                           return std::string(dtype_name(i.param.weight)) + "_tokens" + std::to_string(i.param.tokens) +
                                  "_act" + std::to_string(i.param.act) + (i.param.storage ? "_storage" : "");
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
  Fusions f = find_fusions(graph, true, true);
  EXPECT_TRUE(f.folded[sole - 1]);
  EXPECT_FALSE(f.folded[shared - 1]);
  EXPECT_FALSE(find_fusions(graph, false, true).folded[sole - 1]);
}

// A linear read only by an add of its shape (a residual connection) runs inside the add: its
// kernel adds the other operand as it writes. Either operand order, with bias, with a gated
// input folded too (the down projection of an MLP), decode and batches.
struct ResidualCase {
  DType weight;
  uint32_t tokens;
  bool linear_first, bias, gated;
};

class FusedResidualLinear : public ::testing::TestWithParam<ResidualCase> {};

TEST_P(FusedResidualLinear, EqualsTheUnfusedOps) {
  const ResidualCase c = GetParam();
  const uint32_t in = 256, out = 45;
  std::vector<size_t> folded;
  auto run = [&](bool portable) {
    OpHarness h;
    KernelConfig k = KernelConfig::for_device(gpu().device->info());
    k.fold_inputs = true;
    if (portable) k.subgroup_wg = 0;
    h.use_kernels(k);
    h.source().add("x", DType::F32, {c.tokens, in}, random_values(size_t(c.tokens) * in, 1, -2.0f, 2.0f));
    h.source().add("up", DType::F32, {c.tokens, in}, random_values(size_t(c.tokens) * in, 2));
    h.source().add("res", DType::F32, {c.tokens, out}, random_values(size_t(c.tokens) * out, 3, -5.0f, 5.0f));
    h.source().add("b", DType::F32, {out}, random_values(out, 4));
    h.source().add_quantized("w", c.weight, {out, in}, random_values(size_t(out) * in, 5));
    auto build = [&](const rbee_graph_api& api, rbee_graph* g) {
      rbee_tensor x = h.input(g, "x");
      if (c.gated) x = api.gated(g, x, h.input(g, "up"), RBEE_UNARY_SILU);
      rbee_tensor y = api.linear(g, x, api.weight(g, "w"), c.bias ? api.weight(g, "b") : RBEE_TENSOR_NONE);
      rbee_tensor r = h.input(g, "res");
      return c.linear_first ? api.binary(g, y, r, RBEE_BINARY_ADD) : api.binary(g, r, y, RBEE_BINARY_ADD);
    };
    if (!portable) folded = h.folded(c.tokens, build);  // the fusion happens where it should
    return h.eval(c.tokens, build);
  };
  std::vector<float> fused = run(false), separate = run(true);
  EXPECT_EQ(folded.size(), c.gated ? 2u : 1u) << "the linear (and the gated unit) fold";
  std::vector<double> want(separate.begin(), separate.end());
  EXPECT_TRUE(all_near(fused, want, 1e-4, 1e-4));
}

INSTANTIATE_TEST_SUITE_P(Cases, FusedResidualLinear,
                         ::testing::Values(ResidualCase{DType::F32, 1, true, false, false},
                                           ResidualCase{DType::F32, 1, false, true, false},
                                           ResidualCase{DType::Q8_0, 9, false, false, true},
                                           ResidualCase{DType::Q4_K, 1, true, true, true},
                                           ResidualCase{DType::F16, 70, false, true, false}),
                         [](const auto& i) {
                           const ResidualCase& c = i.param;
                           return std::string(dtype_name(c.weight)) + "_tokens" + std::to_string(c.tokens) +
                                  (c.linear_first ? "_linear_first" : "_residual_first") + (c.bias ? "_bias" : "") +
                                  (c.gated ? "_gated" : "");
                         });

}  // namespace
}  // namespace rbee::test
