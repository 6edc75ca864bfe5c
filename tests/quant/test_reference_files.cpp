// Encoders against files made by llama.cpp's tools: convert_hf_to_gguf.py's F16, BF16 and
// Q8_0 outputs of tiny/llama (gguf-py's quantizers, bit-exact with ggml's), and a Q4_K tensor
// of llama-quantize's that is decoded and encoded again.
#include <gtest/gtest.h>

#include "fixtures_path.hpp"
#include "formats/model_source.hpp"
#include "quant_test_util.hpp"

namespace rbee::quant::test {
namespace {

std::vector<float> as_floats(const TensorView& t) {
  std::vector<float> x(t.elements());
  dequantize(t.dtype, {t.data, t.nbytes}, x);
  return x;
}

class ConverterOutputs : public ::testing::TestWithParam<std::pair<const char*, DType>> {};

// Every tensor the converter stored as the file's type equals our encoding of the f32 file's.
TEST_P(ConverterOutputs, ByteIdenticalToConvertHfToGguf) {
  const auto dir = rbee::test::shared_fixtures() / "tiny/llama";
  const auto [file, type] = GetParam();
  if (!std::filesystem::exists(dir / file)) GTEST_SKIP() << "shared fixtures absent: " << dir;
  const auto f32 = ModelSource::open(dir / "model-f32.gguf");
  const auto converted = ModelSource::open(dir / file);
  int compared = 0;
  for (const TensorView& t : converted->tensors()) {
    if (t.dtype != type) continue;
    const TensorView* src = f32->tensor(t.name);
    ASSERT_NE(src, nullptr) << t.name;
    ASSERT_EQ(src->dtype, DType::F32) << t.name;
    const auto q = encode(type, as_floats(*src));
    ASSERT_EQ(q.size(), t.nbytes) << t.name;
    EXPECT_TRUE(std::equal(q.begin(), q.end(), t.data)) << t.name;
    ++compared;
  }
  EXPECT_GT(compared, 0);
}

INSTANTIATE_TEST_SUITE_P(TinyLlama, ConverterOutputs,
                         ::testing::Values(std::pair{"model-f16.gguf", DType::F16},
                                           std::pair{"model-bf16.gguf", DType::BF16},
                                           std::pair{"model-q8_0.gguf", DType::Q8_0}));

// llama-quantize's Q4_K tensors, decoded and encoded again, decode to nearly the same values:
// they already sit on a Q4_K grid, so the fit finds (almost) the same scales. Most come back
// byte-identical, a sign that the encoder makes llama-quantize's choices.
TEST(RequantizeReal, Q4KTensorSurvivesRequantization) {
  const auto path = rbee::test::shared_fixtures() / "tiny-quant/llama/model-q4_k_m.gguf";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "shared fixtures absent: " << path;
  const auto source = ModelSource::open(path);
  int compared = 0, identical = 0;
  for (const TensorView& t : source->tensors()) {
    if (t.dtype != DType::Q4_K) continue;
    const auto y = as_floats(t);
    const auto q = encode(DType::Q4_K, y);
    const double err = relative_rmse(y, decode(DType::Q4_K, q, y.size()));
    EXPECT_LE(err, 0.002) << t.name;
    identical += std::equal(q.begin(), q.end(), t.data);
    ++compared;
  }
  EXPECT_GT(compared, 0);
  EXPECT_GE(2 * identical, compared);
}

}  // namespace
}  // namespace rbee::quant::test
