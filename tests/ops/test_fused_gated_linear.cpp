// Fusions into the linear kernels: a gated unit read only by a linear (applied as the linear
// loads its input), a residual add of a linear's output (added as it writes), and a gated unit
// with its gate and up linears paired in one kernel (matmul_rows, CPU implementations). The
// fused kernels must give what the separate ops give.
#include <gmock/gmock.h>

#include "graph/fusion.hpp"
#include "graph/weight_kernel.hpp"
#include "ops/op_harness.hpp"
#include "vulkan/kernels.hpp"

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
  FusedComparison r = compare_fused(
      c.tokens, c.storage,
      [&](MemorySource& s) {
        s.add("gate", DType::F32, {c.tokens, in}, random_values(size_t(c.tokens) * in, 1, -3.0f, 3.0f));
        s.add("up", DType::F32, {c.tokens, in}, random_values(size_t(c.tokens) * in, 2));
        s.add_quantized("w", c.weight, {out, in}, random_values(size_t(out) * in, 3));
      },
      [&](OpHarness& h, const rbee_graph_api& api, rbee_graph* g) {
        rbee_tensor unit = api.gated(g, h.input(g, "gate"), h.input(g, "up"), c.act);
        return api.linear(g, unit, api.weight(g, "w"), RBEE_TENSOR_NONE);
      });
  EXPECT_EQ(r.folded.size(), 1u) << "the gated unit folds";
  EXPECT_TRUE(all_near(r.fused, to_double(r.separate), 1e-4, 1e-4));
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
  Fusions f = find_fusions(graph, {});
  EXPECT_TRUE(f.folded[sole - 1]);
  EXPECT_FALSE(f.folded[shared - 1]);
  EXPECT_FALSE(find_fusions(graph, {.enabled = false}).folded[sole - 1]);
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
  FusedComparison r = compare_fused(
      c.tokens, false,
      [&](MemorySource& s) {
        s.add("x", DType::F32, {c.tokens, in}, random_values(size_t(c.tokens) * in, 1, -2.0f, 2.0f));
        s.add("up", DType::F32, {c.tokens, in}, random_values(size_t(c.tokens) * in, 2));
        s.add("res", DType::F32, {c.tokens, out}, random_values(size_t(c.tokens) * out, 3, -5.0f, 5.0f));
        s.add("b", DType::F32, {out}, random_values(out, 4));
        s.add_quantized("w", c.weight, {out, in}, random_values(size_t(out) * in, 5));
      },
      [&](OpHarness& h, const rbee_graph_api& api, rbee_graph* g) {
        rbee_tensor x = h.input(g, "x");
        if (c.gated) x = api.gated(g, x, h.input(g, "up"), RBEE_UNARY_SILU);
        rbee_tensor y = api.linear(g, x, api.weight(g, "w"), c.bias ? api.weight(g, "b") : RBEE_TENSOR_NONE);
        rbee_tensor res = h.input(g, "res");
        return c.linear_first ? api.binary(g, y, res, RBEE_BINARY_ADD) : api.binary(g, res, y, RBEE_BINARY_ADD);
      });
  EXPECT_EQ(r.folded.size(), c.gated ? 2u : 1u) << "the linear (and the gated unit) fold";
  EXPECT_TRUE(all_near(r.fused, to_double(r.separate), 1e-4, 1e-4));
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

// The gate and up linears of an MLP and its gated unit in one dispatch: matmul_rows where the
// device runs the rows kernels (else those cases are said as a skip), and the storage-buffer
// kernels GPUs run (*_gate_up_*, reading a stacked copy of both weights), there also with the
// RMS norm of the input folded in. Decode and batches past the 8-token groups, types of each
// block size and alignment.
struct GateUpCase {
  DType weight;
  uint32_t in, tokens;
  rbee_unary_op act;
  bool storage;  // the storage-buffer kernels rather than the device's
  bool normed;   // the input is an RMS norm (folded into the pair on the storage path)
};

class GateUpPair : public ::testing::TestWithParam<GateUpCase> {};

TEST_P(GateUpPair, EqualsTheUnfusedOps) {
  const GateUpCase c = GetParam();
  const uint32_t out = 45;
  KernelConfig device = KernelConfig::for_device(gpu().device->info());
  if (!device.subgroup_wg) GTEST_SKIP() << "no subgroup arithmetic: nothing pairs";
  if (!c.storage && !device.row_kernels) GTEST_SKIP() << "the device does not run matmul_rows";
  auto run = [&](bool portable) {
    OpHarness h;
    KernelConfig k = device;
    if (c.storage) {
      k.texel_inputs = k.row_kernels = false;
      k.fold_inputs = true;
    }
    if (portable) k.subgroup_wg = 0;
    h.use_kernels(k);
    h.source().add("x", DType::F32, {c.tokens, c.in}, random_values(size_t(c.tokens) * c.in, 1, -2.0f, 2.0f));
    h.source().add("g", DType::F32, {c.in}, random_values(c.in, 4, 0.5f, 1.5f));
    h.source().add_quantized("wg", c.weight, {out, c.in}, random_values(size_t(out) * c.in, 2));
    h.source().add_quantized("wu", c.weight, {out, c.in}, random_values(size_t(out) * c.in, 3));
    auto cg = h.compile(c.tokens, [&](const rbee_graph_api& api, rbee_graph* g) {
      rbee_tensor x = h.input(g, "x");
      rbee_norm_params p{sizeof p, RBEE_NORM_RMS, 1e-5f, 0.0f, 0};
      if (c.normed) x = api.norm(g, x, api.weight(g, "g"), RBEE_TENSOR_NONE, &p);
      return api.gated(g, api.linear(g, x, api.weight(g, "wg"), RBEE_TENSOR_NONE),
                       api.linear(g, x, api.weight(g, "wu"), RBEE_TENSOR_NONE), c.act);
    }, true, !portable);
    std::vector<float> result = OpHarness::run(*cg, iota_ids(c.tokens));
    if (!portable && !cg->last_profile().empty()) {  // one dispatch did it all
      std::vector<std::string> kernels;
      for (const auto& [kernel, seconds] : cg->last_profile()) kernels.push_back(kernel);
      const WeightKernel family =
          c.storage ? (c.tokens == 1 ? WeightKernel::MatvecGateUp : WeightKernel::MatmulSubgroupGateUp)
                    : (c.tokens == 1   ? WeightKernel::MatvecRowsGateUp
                       : c.tokens <= 4 ? WeightKernel::MatmulRowsGateUp4
                                       : WeightKernel::MatmulRowsGateUp);
      EXPECT_THAT(kernels, ::testing::Contains(weight_kernel(family, c.weight)));
      if (c.storage && c.normed) {
        EXPECT_THAT(kernels, ::testing::Not(::testing::Contains(vk::kernel_name(vk::Kernel::Norm))))
            << "the norm folds";
      }
    }
    return result;
  };
  std::vector<float> fused = run(false), separate = run(true);
  EXPECT_TRUE(all_near(fused, to_double(separate), 1e-4, 1e-4));
}

INSTANTIATE_TEST_SUITE_P(Cases, GateUpPair,
                         ::testing::Values(GateUpCase{DType::Q8_0, 96, 1, RBEE_UNARY_SILU, false, false},
                                           GateUpCase{DType::Q8_0, 64, 70, RBEE_UNARY_GELU, false, false},
                                           GateUpCase{DType::Q4_K, 512, 9, RBEE_UNARY_SILU, false, false},
                                           GateUpCase{DType::Q6_K, 256, 1, RBEE_UNARY_GELU_TANH, false, false},
                                           GateUpCase{DType::Q5_0, 64, 9, RBEE_UNARY_RELU, false, false},
                                           GateUpCase{DType::MXFP4, 64, 2, RBEE_UNARY_SILU, false, false},
                                           GateUpCase{DType::Q8_0, 96, 1, RBEE_UNARY_SILU, true, false},
                                           GateUpCase{DType::Q8_0, 64, 70, RBEE_UNARY_GELU, true, true},
                                           GateUpCase{DType::Q4_K, 512, 1, RBEE_UNARY_SILU, true, true},
                                           GateUpCase{DType::Q4_K, 512, 9, RBEE_UNARY_SILU, true, false},
                                           GateUpCase{DType::Q6_K, 256, 9, RBEE_UNARY_GELU_TANH, true, true},
                                           GateUpCase{DType::F16, 100, 9, RBEE_UNARY_SILU, true, true},
                                           GateUpCase{DType::F32, 37, 1, RBEE_UNARY_RELU, true, false}),
                         [](const auto& i) {
                           const GateUpCase& c = i.param;
                           return std::string(dtype_name(c.weight)) + "_in" + std::to_string(c.in) + "_tokens" +
                                  std::to_string(c.tokens) + "_act" + std::to_string(c.act) +
                                  (c.storage ? "_storage" : "") + (c.normed ? "_normed" : "");
                         });

// Only a unit whose two linears read one input, have no bias, share a weight type and shape and
// feed the unit alone pairs, and only weights the executor can pair.
TEST(GateUpPairRules, OnlyMatchingSoleLinearsPair) {
  MemorySource source;
  source.add("a", DType::F32, {1, 64}, random_values(64, 1));
  source.add("w", DType::F32, {8, 64}, random_values(512, 2));
  source.add("u", DType::F32, {8, 64}, random_values(512, 3));
  source.add_quantized("q", DType::Q8_0, {8, 64}, random_values(512, 4));
  source.add("b", DType::F32, {8}, random_values(8, 5));
  Graph graph(source, 1, true, 256);
  auto* g = reinterpret_cast<rbee_graph*>(&graph);
  const rbee_graph_api& api = *graph_api();
  rbee_tensor x = api.embed(g, api.weight(g, "a"), api.input_tokens(g));
  rbee_tensor y = api.embed(g, api.weight(g, "a"), api.input_tokens(g));
  auto lin = [&](rbee_tensor in, const char* w, bool bias = false) {
    return api.linear(g, in, api.weight(g, w), bias ? api.weight(g, "b") : RBEE_TENSOR_NONE);
  };
  rbee_tensor pair = api.gated(g, lin(x, "w"), lin(x, "u"), RBEE_UNARY_SILU);
  rbee_tensor biased = api.gated(g, lin(x, "w"), lin(x, "u", true), RBEE_UNARY_SILU);
  rbee_tensor two_inputs = api.gated(g, lin(x, "w"), lin(y, "u"), RBEE_UNARY_SILU);
  rbee_tensor two_types = api.gated(g, lin(x, "w"), lin(x, "q"), RBEE_UNARY_SILU);
  rbee_tensor shared_gate = lin(x, "w");
  rbee_tensor shared = api.gated(g, shared_gate, lin(x, "u"), RBEE_UNARY_SILU);
  rbee_tensor sum = pair;
  for (rbee_tensor t : {biased, two_inputs, two_types, shared, shared_gate}) sum = api.binary(g, sum, t, RBEE_BINARY_ADD);
  api.set_output(g, sum);
  ASSERT_EQ(graph.error(), "");
  auto any = [](const Node&, bool) { return true; };
  Fusions f = find_fusions(graph, {.inputs = false, .pair_gate_up = any});
  EXPECT_NE(f.gate_up_of[pair - 1].first, RBEE_TENSOR_NONE);
  for (rbee_tensor t : {biased, two_inputs, two_types, shared}) EXPECT_EQ(f.gate_up_of[t - 1].first, RBEE_TENSOR_NONE) << t;
  auto floats_only = [](const Node& w, bool) { return w.weight->dtype == DType::F32; };
  EXPECT_NE(find_fusions(graph, {.inputs = false, .pair_gate_up = floats_only}).gate_up_of[pair - 1].first, RBEE_TENSOR_NONE);
  auto none = [](const Node&, bool) { return false; };
  EXPECT_EQ(find_fusions(graph, {.inputs = false, .pair_gate_up = none}).gate_up_of[pair - 1].first, RBEE_TENSOR_NONE);
  EXPECT_EQ(find_fusions(graph, {.inputs = false}).gate_up_of[pair - 1].first, RBEE_TENSOR_NONE);
}

// With the inputs folded (a GPU), a unit whose linears read a folded RMS norm pairs where the
// executor's kernels can fold the norm into the pair, and then is not folded into the linear
// reading it; where they cannot, it is folded into that linear as before.
TEST(GateUpPairRules, ANormedPairTakesPrecedenceOverFoldingTheUnit) {
  MemorySource source;
  source.add("a", DType::F32, {1, 64}, random_values(64, 1));
  source.add("g", DType::F32, {64}, random_values(64, 2));
  source.add("w", DType::F32, {8, 64}, random_values(512, 3));
  source.add("u", DType::F32, {8, 64}, random_values(512, 4));
  source.add("d", DType::F32, {64, 8}, random_values(512, 5));
  Graph graph(source, 1, true, 256);
  auto* g = reinterpret_cast<rbee_graph*>(&graph);
  const rbee_graph_api& api = *graph_api();
  rbee_norm_params rms{sizeof rms, RBEE_NORM_RMS, 1e-5f, 0.0f, 0};
  rbee_tensor x = api.embed(g, api.weight(g, "a"), api.input_tokens(g)), gain = api.weight(g, "g");
  rbee_tensor w = api.weight(g, "w"), u = api.weight(g, "u");
  rbee_tensor normed = api.norm(g, x, gain, RBEE_TENSOR_NONE, &rms);
  rbee_tensor unit = api.gated(g, api.linear(g, normed, w, RBEE_TENSOR_NONE), api.linear(g, normed, u, RBEE_TENSOR_NONE),
                               RBEE_UNARY_SILU);
  api.set_output(g, api.linear(g, unit, api.weight(g, "d"), RBEE_TENSOR_NONE));
  ASSERT_EQ(graph.error(), "");

  Fusions paired = find_fusions(graph, {.pair_gate_up = [](const Node&, bool) { return true; }});
  EXPECT_TRUE(paired.folded[normed - 1]);
  EXPECT_NE(paired.gate_up_of[unit - 1].first, RBEE_TENSOR_NONE);
  EXPECT_FALSE(paired.folded[unit - 1]);
  // The pair reads the norm's input and weight and both weights.
  EXPECT_THAT(paired.reads[unit - 1], ::testing::IsSupersetOf({x, gain, w, u}));

  Fusions unpaired = find_fusions(graph, {.pair_gate_up = [](const Node&, bool normed_input) { return !normed_input; }});
  EXPECT_TRUE(unpaired.folded[normed - 1]);
  EXPECT_EQ(unpaired.gate_up_of[unit - 1].first, RBEE_TENSOR_NONE);
  EXPECT_TRUE(unpaired.folded[unit - 1]);
}

}  // namespace
}  // namespace rbee::test
