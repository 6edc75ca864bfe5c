// linear with quantized weights: W [out, in] quantized on the CPU (quant::quantize), reference
// = CPU-dequantized W times x in double. Where the device has subgroup arithmetic one token
// runs matvec_<type> and more run matmul_subgroup_<type>, the storage-buffer kernels GPUs run; a
// CPU implementation runs matvec_rows_<type> and matmul_rows_<type> instead. The Storage and
// Texel cases force the storage-buffer kernels and their texel-buffer variants (what a CPU
// implementation runs where the rows kernels do not apply); the portable matmul_<type> runs
// without subgroup arithmetic, and here in the Portable cases. Out features are not multiples
// of the rows per workgroup or of anything else; in features are 1, 2 and 3 blocks of the type.
#include <array>

#include <gmock/gmock.h>

#include "graph/weight_kernel.hpp"
#include "ops/op_harness.hpp"

namespace rbee::test {
namespace {

const DType kQuantTypes[] = {DType::Q8_0, DType::Q4_0, DType::Q4_1, DType::Q5_0, DType::Q5_1, DType::Q2_K,
                             DType::Q3_K, DType::Q4_K, DType::Q5_K, DType::Q6_K, DType::IQ4_NL, DType::MXFP4};

uint32_t block_elems(DType t) { return dtype_traits(static_cast<uint32_t>(t))->block_elems; }

// Uniform values, each 32-element stretch scaled by its own factor in [1/8, 4]: the blocks'
// (and K-types' sub-blocks') scales differ, so a kernel reading the wrong one shows.
std::vector<float> varied_values(size_t n, uint32_t seed) {
  std::vector<float> v = random_values(n, seed);
  std::vector<float> f = random_values((n + 31) / 32, seed + 1000, -3.0f, 2.0f);
  for (size_t i = 0; i < n; ++i) v[i] *= std::exp2(f[i / 32]);
  return v;
}

struct QLinearCase {
  DType dtype;
  uint32_t out, in, tokens;
  bool bias;
  // The kernels forced: none (the device's choice), the portable matmul that needs no subgroup
  // operations, the storage-buffer subgroup kernels, their texel-buffer variants.
  enum Kernels { Device, Portable, Storage, Texel } kernels = Device;
};

class QuantizedLinearTest : public ::testing::TestWithParam<QLinearCase> {};

TEST_P(QuantizedLinearTest, MatchesDequantizedReference) {
  const QLinearCase c = GetParam();
  OpHarness h({}, std::max(256u, c.tokens));  // a batch may not exceed the (unused) KV cache
  KernelConfig kernels = KernelConfig::for_device(gpu().device->info());
  switch (c.kernels) {
    case QLinearCase::Device: break;
    case QLinearCase::Portable: kernels.subgroup_wg = 0; break;
    case QLinearCase::Storage:
    case QLinearCase::Texel:
      kernels.row_kernels = false;
      kernels.texel_inputs = c.kernels == QLinearCase::Texel;
      break;
  }
  h.use_kernels(kernels);
  std::vector<float> x = h.source().add("x", DType::F32, {c.tokens, c.in}, random_values(size_t(c.tokens) * c.in, 1 + c.in));
  std::vector<float> w = h.source().add_quantized("w", c.dtype, {c.out, c.in}, varied_values(size_t(c.out) * c.in, 2 + c.out));
  std::vector<float> b;
  if (c.bias) b = h.source().add("b", DType::F32, {c.out}, random_values(c.out, 3 + c.out));
  std::vector<float> got = h.eval(c.tokens, [&](const rbee_graph_api& api, rbee_graph* g) {
    return api.linear(g, h.input(g, "x"), api.weight(g, "w"), c.bias ? api.weight(g, "b") : RBEE_TENSOR_NONE);
  });

  LinearReference ref = linear_reference(x, w, b, c.tokens, c.in, c.out);
  EXPECT_TRUE(all_near(got, ref.want, 1e-6, 1e-5, &ref.scale));
}

std::string name(const ::testing::TestParamInfo<QLinearCase>& i) {
  const QLinearCase& c = i.param;
  return std::string(dtype_name(c.dtype)) + "_out" + std::to_string(c.out) + "_in" + std::to_string(c.in) + "_tokens" +
         std::to_string(c.tokens) + (c.bias ? "_bias" : "") +
         std::array<const char*, 4>{"", "_portable", "_storage", "_texel"}[c.kernels];
}

// Every type x out {1, 7, 64, 65, 300} x in {1, 2, 3 blocks} x tokens {1, 3, 7, 64}, each with
// and without bias (on a CPU implementation 3 tokens run matmul_rows' 4-token groups, 7 and 64
// its 16-token ones).
std::vector<QLinearCase> shapes() {
  std::vector<QLinearCase> out;
  for (DType t : kQuantTypes)
    for (uint32_t o : {1u, 7u, 64u, 65u, 300u})
      for (uint32_t blocks : {1u, 2u, 3u})
        for (uint32_t tokens : {1u, 3u, 7u, 64u})
          for (bool bias : {false, true}) out.push_back({t, o, blocks * block_elems(t), tokens, bias});
  return out;
}
INSTANTIATE_TEST_SUITE_P(Shapes, QuantizedLinearTest, ::testing::ValuesIn(shapes()), name);

// The portable kernel on a smaller grid: every type, odd out features, 1 and 3 blocks, 1/2/9 tokens.
std::vector<QLinearCase> portable_shapes() {
  std::vector<QLinearCase> out;
  for (DType t : kQuantTypes)
    for (uint32_t o : {7u, 65u})
      for (uint32_t blocks : {1u, 3u})
        for (uint32_t tokens : {1u, 2u, 9u})
          out.push_back({t, o, blocks * block_elems(t), tokens, tokens == 2, QLinearCase::Portable});
  return out;
}
INSTANTIATE_TEST_SUITE_P(Portable, QuantizedLinearTest, ::testing::ValuesIn(portable_shapes()), name);

// The storage-buffer subgroup kernels (what GPUs run) and their texel-buffer variants on the
// same smaller grid.
std::vector<QLinearCase> forced_shapes(QLinearCase::Kernels kernels) {
  std::vector<QLinearCase> out = portable_shapes();
  for (QLinearCase& c : out) c.kernels = kernels;
  return out;
}
INSTANTIATE_TEST_SUITE_P(Storage, QuantizedLinearTest, ::testing::ValuesIn(forced_shapes(QLinearCase::Storage)), name);
INSTANTIATE_TEST_SUITE_P(Texel, QuantizedLinearTest, ::testing::ValuesIn(forced_shapes(QLinearCase::Texel)), name);

// A prompt-sized batch (64 matmul token groups), two shapes per type.
std::vector<QLinearCase> long_batch() {
  std::vector<QLinearCase> out;
  for (DType t : kQuantTypes) {
    out.push_back({t, 65, 3 * block_elems(t), 512, true});
    out.push_back({t, 7, block_elems(t), 512, false});
  }
  return out;
}
INSTANTIATE_TEST_SUITE_P(LongBatch, QuantizedLinearTest, ::testing::ValuesIn(long_batch()), name);

// The kernels the cases above meant to cover: where the device has subgroup arithmetic,
// matvec_<type> for one token and matmul_subgroup_<type> for more (on a CPU implementation
// matvec_rows_<type>, matmul_rows_4_<type> up to 4 tokens, matmul_rows_<type> for more); else
// matmul_<type> (said as a skip).
TEST(QuantizedWeights, BatchPicksKernel) {
  const bool matvec = gpu().device->info().subgroup_arithmetic;
  const bool rows = KernelConfig::for_device(gpu().device->info()).row_kernels;
  for (DType t : kQuantTypes) {
    for (uint32_t tokens : {1u, 2u, 9u}) {
      OpHarness h;
      h.source().add("x", DType::F32, {tokens, 2 * block_elems(t)}, random_values(2 * tokens * block_elems(t), 7));
      h.source().add_quantized("w", t, {5, 2 * block_elems(t)}, varied_values(10 * block_elems(t), 8));
      auto cg = h.compile(tokens, [&](const rbee_graph_api& api, rbee_graph* g) {
        return api.linear(g, h.input(g, "x"), api.weight(g, "w"), RBEE_TENSOR_NONE);
      }, true, true);
      OpHarness::run(*cg, iota_ids(tokens));
      if (cg->last_profile().empty()) GTEST_SKIP() << "no timestamps: dispatches cannot be named";
      std::vector<std::string> kernels;
      for (const auto& [kernel, seconds] : cg->last_profile()) kernels.push_back(kernel);
      const WeightKernel family = !matvec ? WeightKernel::Matmul
                                  : rows  ? (tokens == 1   ? WeightKernel::MatvecRows
                                             : tokens <= 4 ? WeightKernel::MatmulRows4
                                                           : WeightKernel::MatmulRows)
                                          : (tokens == 1 ? WeightKernel::Matvec : WeightKernel::MatmulSubgroup);
      const std::string want = weight_kernel(family, t);
      EXPECT_THAT(kernels, ::testing::Contains(want)) << tokens << " token(s)";
    }
  }
  if (!matvec) GTEST_SKIP() << "no subgroup arithmetic: every linear case ran the portable matmul_<type>";
}

// A 2-D weight of a type no kernel runs is refused when the graph is built, naming the tensor
// and its type; linear and embed alike.
TEST(QuantizedWeights, UnsupportedTypeRefusedAtBuild) {
  struct Bad {
    DType dtype;
    std::vector<uint8_t> bytes;
  };
  const Bad bad[] = {{DType::Q8_1, std::vector<uint8_t>(4 * 36)},     // 4 rows of one 32-element block
                     {DType::Q8_K, std::vector<uint8_t>(4 * 292)},    // 4 rows of one 256-element block
                     {DType::I32, std::vector<uint8_t>(4 * 32 * 4)},  // 4 rows of 32 int32
                     {DType::F64, std::vector<uint8_t>(4 * 32 * 8)}};
  for (const Bad& t : bad) {
    SCOPED_TRACE(std::string(dtype_name(t.dtype)));
    const uint32_t cols = t.dtype == DType::Q8_K ? 256 : 32;
    const std::string wname = "blk.0.odd_" + std::string(dtype_name(t.dtype));
    for (bool linear : {true, false}) {
      OpHarness h;
      h.source().add("x", DType::F32, {2, cols}, random_values(2 * cols, 5));
      h.source().add_bytes(wname, t.dtype, {4, cols}, t.bytes);
      try {
        h.compile(2, [&](const rbee_graph_api& api, rbee_graph* g) {
          return linear ? api.linear(g, h.input(g, "x"), api.weight(g, wname.c_str()), RBEE_TENSOR_NONE)
                        : api.embed(g, api.weight(g, wname.c_str()), api.input_tokens(g));
        });
        ADD_FAILURE() << (linear ? "linear" : "embed") << " with a " << dtype_name(t.dtype) << " weight compiled";
      } catch (const std::runtime_error& e) {
        EXPECT_THAT(e.what(), ::testing::HasSubstr("tensor " + wname + " has type " + std::string(dtype_name(t.dtype))));
      }
    }
  }
}

}  // namespace
}  // namespace rbee::test
