// linear: x [tokens, in] times W [out, in] transposed (+ bias) for F32, F16 and BF16 weights,
// with feature and token counts that are not multiples of the workgroup size (64 on a CPU
// device) or of the 8 tokens one matmul workgroup handles. A CPU implementation reads weights
// and inputs as texel buffers; the Storage cases force the storage-buffer kernels GPUs run.
#include "ops/op_harness.hpp"

namespace rbee::test {
namespace {

struct LinearCase {
  DType dtype;
  uint32_t out, in, tokens;
  bool bias;
  bool storage = false;
};

class LinearTest : public ::testing::TestWithParam<LinearCase> {};

TEST_P(LinearTest, MatchesReference) {
  const LinearCase c = GetParam();
  OpHarness h;
  KernelConfig kernels = KernelConfig::for_device(gpu().device->info());
  if (c.storage) kernels.texel_inputs = false;
  h.use_kernels(kernels);
  std::vector<float> x = h.source().add("x", DType::F32, {c.tokens, c.in}, random_values(size_t(c.tokens) * c.in, 1 + c.in));
  std::vector<float> w = h.source().add("w", c.dtype, {c.out, c.in}, random_values(size_t(c.out) * c.in, 2 + c.out));
  std::vector<float> b;
  if (c.bias) b = h.source().add("b", c.dtype, {c.out}, random_values(c.out, 3 + c.out));
  std::vector<float> got = h.eval(c.tokens, [&](const rbee_graph_api& api, rbee_graph* g) {
    return api.linear(g, h.input(g, "x"), api.weight(g, "w"), c.bias ? api.weight(g, "b") : RBEE_TENSOR_NONE);
  });

  LinearReference ref = linear_reference(x, w, b, c.tokens, c.in, c.out);
  EXPECT_TRUE(all_near(got, ref.want, 1e-6, 1e-5, &ref.scale));
}

std::string name(const ::testing::TestParamInfo<LinearCase>& i) {
  const LinearCase& c = i.param;
  std::string s = c.dtype == DType::F32 ? "f32" : c.dtype == DType::F16 ? "f16" : "bf16";
  return s + "_out" + std::to_string(c.out) + "_in" + std::to_string(c.in) + "_tokens" + std::to_string(c.tokens) +
         (c.bias ? "_bias" : "") + (c.storage ? "_storage" : "");
}

std::vector<LinearCase> cases() {
  std::vector<LinearCase> out;
  // Every type over a spread of shapes; out * in even so that the odd-size weight bug (see
  // OddElementCount below) stays out of these.
  const LinearCase shapes[] = {{DType::F32, 1, 64, 1, false},  {DType::F32, 7, 100, 2, true},
                               {DType::F32, 64, 64, 7, false}, {DType::F32, 65, 100, 9, true},
                               {DType::F32, 300, 1000, 9, false}, {DType::F32, 64, 1000, 64, true},
                               {DType::F32, 65, 64, 64, false}, {DType::F32, 2, 1, 7, true},
                               {DType::F32, 300, 64, 2, true}};
  for (DType t : {DType::F32, DType::F16, DType::BF16})
    for (LinearCase c : shapes) {
      c.dtype = t;
      out.push_back(c);
    }
  return out;
}

INSTANTIATE_TEST_SUITE_P(Shapes, LinearTest, ::testing::ValuesIn(cases()), name);

std::vector<LinearCase> storage_cases() {
  std::vector<LinearCase> out = cases();
  for (LinearCase& c : out) c.storage = true;
  return out;
}
INSTANTIATE_TEST_SUITE_P(Storage, LinearTest, ::testing::ValuesIn(storage_cases()), name);

// Odd out * in: a 16-bit weight's last element sits in a half-filled 32-bit word, which the
// shader must still read (a buffer of exactly nbytes once made it read 0). Also covers in
// features 1 and 3.
INSTANTIATE_TEST_SUITE_P(OddElementCount, LinearTest,
                         ::testing::Values(LinearCase{DType::F32, 7, 3, 9, true}, LinearCase{DType::F32, 1, 1, 1, false},
                                           LinearCase{DType::F32, 65, 1, 2, true},
                                           LinearCase{DType::F16, 7, 3, 9, true}, LinearCase{DType::F16, 1, 1, 1, false},
                                           LinearCase{DType::BF16, 65, 1, 2, true},
                                           LinearCase{DType::BF16, 7, 3, 9, false}),
                         name);

}  // namespace
}  // namespace rbee::test
