// Weights larger than one storage-buffer binding (maxStorageBufferRange: 128 MiB on lavapipe,
// 1 GiB on some GPUs, below a large vocabulary's output head or embedding table) run as a
// dispatch per slice of their rows. Here the limit is lowered so that small tensors slice: the
// linears that bind weights as storage buffers (subgroup and portable kernels, with bias, a
// folded norm and a fused residual) and embeddings must give what they give unsliced. What
// slicing cannot help fails to compile, naming the limit.
#include <gmock/gmock.h>

#include "ops/op_harness.hpp"

namespace rbee::test {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

uint64_t row_bytes(DType t, uint32_t cols) {
  auto traits = dtype_traits(static_cast<uint32_t>(t));
  return uint64_t(cols) / traits->block_elems * traits->block_bytes;
}

// Dispatches of the last run whose kernel name starts with prefix.
size_t dispatches(const CompiledGraph& cg, const std::string& prefix) {
  size_t n = 0;
  for (const auto& [name, seconds] : cg.last_profile()) n += name.rfind(prefix, 0) == 0;
  return n;
}

struct SliceCase {
  DType dtype;
  uint32_t tokens;
  bool portable;  // the matmul for devices without subgroup arithmetic
};

class SlicedLinear : public ::testing::TestWithParam<SliceCase> {};

// 300 output rows of 96 elements (3 blocks of the K-types); the limit is a third of the weights
// (or the largest activation).
TEST_P(SlicedLinear, EqualsTheReference) {
  const SliceCase c = GetParam();
  const uint32_t out = 300, in = 3 * std::max(32u, dtype_traits(static_cast<uint32_t>(c.dtype))->block_elems);
  const bool bias = c.tokens > 1;
  OpHarness h;
  KernelConfig k = KernelConfig::for_device(gpu().device->info());
  k.texel_inputs = k.row_kernels = false;
  if (c.portable) k.subgroup_wg = 0;
  k.max_binding_bytes = std::max({uint64_t(c.tokens) * std::max(in, out) * 4, out * row_bytes(c.dtype, in) / 3});
  h.use_kernels(k);
  std::vector<float> x = h.source().add("x", DType::F32, {c.tokens, in}, random_values(size_t(c.tokens) * in, 1));
  std::vector<float> w = c.dtype == DType::F32 || c.dtype == DType::F16 || c.dtype == DType::BF16
                             ? h.source().add("w", c.dtype, {out, in}, random_values(size_t(out) * in, 2))
                             : h.source().add_quantized("w", c.dtype, {out, in}, random_values(size_t(out) * in, 2));
  std::vector<float> b;
  if (bias) b = h.source().add("b", DType::F32, {out}, random_values(out, 3));
  auto cg = h.compile(c.tokens, [&](const rbee_graph_api& api, rbee_graph* g) {
    return api.linear(g, h.input(g, "x"), api.weight(g, "w"), bias ? api.weight(g, "b") : RBEE_TENSOR_NONE);
  }, true, true);
  std::vector<float> got = OpHarness::run(*cg, iota_ids(c.tokens));
  LinearReference ref = linear_reference(x, w, b, c.tokens, in, out);
  EXPECT_TRUE(all_near(got, ref.want, 1e-6, 1e-5, &ref.scale));
  if (cg->last_profile().empty()) GTEST_SKIP() << "no timestamps: dispatches cannot be counted";
  EXPECT_GE(dispatches(*cg, "mat"), 2u) << "the weights were not sliced";
}

std::vector<SliceCase> slice_cases() {
  std::vector<SliceCase> cases;
  for (DType t : {DType::F32, DType::F16, DType::BF16, DType::Q8_0, DType::Q4_0, DType::Q4_1, DType::Q5_0, DType::Q5_1,
                  DType::Q2_K, DType::Q3_K, DType::Q4_K, DType::Q5_K, DType::Q6_K, DType::IQ4_NL, DType::MXFP4})
    for (uint32_t tokens : {1u, 9u}) cases.push_back({t, tokens, false});
  for (DType t : {DType::F16, DType::Q8_0, DType::Q4_K}) cases.push_back({t, 9, true});
  return cases;
}
INSTANTIATE_TEST_SUITE_P(Types, SlicedLinear, ::testing::ValuesIn(slice_cases()), [](const auto& i) {
  return std::string(dtype_name(i.param.dtype)) + "_tokens" + std::to_string(i.param.tokens) +
         (i.param.portable ? "_portable" : "");
});

// residual + linear(rms_norm(x)) with the norm and the residual add folded into the sliced
// linear (as a GPU runs it), against the portable kernels unsliced.
TEST(SlicedLinearFusions, NormAndResidualFoldIntoEverySlice) {
  const uint32_t in = 512, out = 300;
  for (uint32_t tokens : {1u, 9u}) {
    std::vector<float> results[2];
    for (bool sliced : {true, false}) {
      OpHarness h;
      KernelConfig k = KernelConfig::for_device(gpu().device->info());
      k.texel_inputs = k.row_kernels = false;
      k.fold_inputs = sliced;
      if (sliced) k.max_binding_bytes = out * row_bytes(DType::Q4_K, in) / 4;
      else k.subgroup_wg = 0;
      h.use_kernels(k);
      h.source().add("x", DType::F32, {tokens, in}, random_values(size_t(tokens) * in, 1, -4.0f, 4.0f));
      h.source().add("g", DType::F32, {in}, random_values(in, 2, 0.5f, 1.5f));
      h.source().add("res", DType::F32, {tokens, out}, random_values(size_t(tokens) * out, 4));
      h.source().add_quantized("w", DType::Q4_K, {out, in}, random_values(size_t(out) * in, 3));
      results[sliced ? 0 : 1] = h.eval(tokens, [&](const rbee_graph_api& api, rbee_graph* g) {
        rbee_norm_params p{sizeof p, RBEE_NORM_RMS, 1e-5f, 0.0f, 0};
        rbee_tensor normed = api.norm(g, h.input(g, "x"), api.weight(g, "g"), RBEE_TENSOR_NONE, &p);
        rbee_tensor y = api.linear(g, normed, api.weight(g, "w"), RBEE_TENSOR_NONE);
        return api.binary(g, h.input(g, "res"), y, RBEE_BINARY_ADD);
      });
    }
    EXPECT_TRUE(all_near(results[0], to_double(results[1]), 1e-4, 1e-4)) << tokens << " tokens";
  }
}

struct EmbedSliceCase {
  DType dtype;
  uint32_t vocab, dim;
};

class SlicedEmbed : public ::testing::TestWithParam<EmbedSliceCase> {};

// Rows of every slice, the first and the last row of the table included, copied exactly.
TEST_P(SlicedEmbed, PicksRowsExactly) {
  const EmbedSliceCase c = GetParam();
  const uint32_t tokens = 9;
  OpHarness h;
  KernelConfig k = KernelConfig::for_device(gpu().device->info());
  k.max_binding_bytes = std::max(uint64_t(tokens) * c.dim * 4, c.vocab * row_bytes(c.dtype, c.dim) / 4);
  h.use_kernels(k);
  std::vector<float> values = random_values(size_t(c.vocab) * c.dim, 5);
  std::vector<float> table = c.dtype == DType::F16 ? h.source().add("table", c.dtype, {c.vocab, c.dim}, values)
                                                   : h.source().add_quantized("table", c.dtype, {c.vocab, c.dim}, values);
  auto cg = h.compile(tokens, [&](const rbee_graph_api& api, rbee_graph* g) {
    return api.embed(g, api.weight(g, "table"), api.input_tokens(g));
  }, true, true);
  std::vector<int32_t> ids = scrambled_ids(tokens, c.vocab, 37);
  ids.front() = 0;
  EXPECT_TRUE(all_near(OpHarness::run(*cg, ids), picked_rows(table, c.dim, ids), 0, 0));
  if (cg->last_profile().empty()) GTEST_SKIP() << "no timestamps: dispatches cannot be counted";
  EXPECT_GE(dispatches(*cg, "embed"), 2u) << "the table was not sliced";
}

INSTANTIATE_TEST_SUITE_P(Types, SlicedEmbed,
                         ::testing::Values(EmbedSliceCase{DType::F16, 300, 65}, EmbedSliceCase{DType::Q8_0, 301, 64},
                                           EmbedSliceCase{DType::Q4_K, 100, 256}),
                         [](const auto& i) { return std::string(dtype_name(i.param.dtype)); });

TEST(BindingLimit, WhatCannotBeSlicedFailsNamingTheLimit) {
  KernelConfig k = KernelConfig::for_device(gpu().device->info());
  k.texel_inputs = k.row_kernels = false;
  k.max_binding_bytes = 1024;
  {  // an activation of 9 x 64 floats: no kernel slices activations
    OpHarness h;
    h.use_kernels(k);
    h.source().add("x", DType::F32, {9, 64}, random_values(9 * 64, 1));
    h.source().add("w", DType::F32, {4, 64}, random_values(4 * 64, 2));
    EXPECT_THAT([&] {
      h.compile(9, [&](const rbee_graph_api& api, rbee_graph* g) {
        return api.linear(g, h.input(g, "x"), api.weight(g, "w"), RBEE_TENSOR_NONE);
      });
    }, ::testing::ThrowsMessage<std::runtime_error>(AllOf(HasSubstr("spans 2304 bytes"), HasSubstr("maxStorageBufferRange 1024"))));
  }
  {  // rows of 1200 bytes: a slice must start at a multiple of 16 bytes, so holds at least 4 rows
    OpHarness h;
    h.use_kernels(k);
    h.source().add("wide", DType::F32, {8, 300}, random_values(8 * 300, 3));
    EXPECT_THAT([&] {
      h.compile(1, [&](const rbee_graph_api& api, rbee_graph* g) {
        return api.embed(g, api.weight(g, "wide"), api.input_tokens(g));
      });
    }, ::testing::ThrowsMessage<std::runtime_error>(AllOf(HasSubstr("wide: "), HasSubstr("maxStorageBufferRange 1024"))));
  }
}

// A layer's keys are bound whole: a context they cannot fit in is refused before anything is
// allocated, with the context that would fit.
TEST(BindingLimit, KvCacheBeyondOneBindingIsRefused) {
  const vk::Device& device = *gpu().device;
  const uint64_t limit = device.info().max_storage_buffer_range, row = 8 * 128 * 4;
  rbee_kv_layout layer{sizeof(rbee_kv_layout), 8, 128, 128, 0, 0};
  const uint32_t capacity = static_cast<uint32_t>(limit / row + 1);
  EXPECT_THAT([&] { KvCache(device, {layer}, KvCacheShape{.context = capacity}, KvType::F32); },
              ::testing::ThrowsMessage<std::runtime_error>(
                  HasSubstr("use a context of at most " + std::to_string(limit / row) + " positions")));
}

}  // namespace
}  // namespace rbee::test
