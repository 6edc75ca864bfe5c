// The TinyQuant suite: quantized GGUF files made by llama.cpp's llama-quantize against the exact
// float reference of each file (every tensor dequantized by gguf-py, then run in float32): rbee
// keeps activations in floating point, so it must land within 2e-2 at every position.
#include <algorithm>
#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

#include "engine/model.hpp"
#include "fixtures_path.hpp"
#include "models/golden_suite.hpp"
#include "models/model_test_util.hpp"

namespace rbee::test {

std::string quant_case_name(const testing::TestParamInfo<QuantCase>& info) {
  return info.param.family + "_" + info.param.type;
}

std::vector<QuantCase> quant_cases(const std::string& family) {
  std::vector<QuantCase> out;
  for (const char* t : {"q8_0", "q4_0", "q4_1", "q5_0", "q5_1", "q2_k", "q3_k_m", "q4_k_m", "q5_k_m", "q6_k", "iq4_nl"})
    out.push_back({family, t});
  return out;
}

namespace {

void expect_logits_match_the_float_reference(const QuantCase& c, const ModelOptions& options) {
  auto dir = shared_fixtures() / "tiny-quant" / c.family;
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << dir << " is absent (../shared/fixtures not beside the checkout)";
  auto golden = nlohmann::json::parse(std::ifstream(dir / "golden.json"));
  Model model(runtime(), dir / ("model-" + c.type + ".gguf"), options);
  auto ids = golden["input_ids"].get<std::vector<int32_t>>();
  std::vector<float> got = model.eval(ids, true);
  std::vector<float> want = read_f32(dir / ("reference-logits-" + c.type + ".f32"));
  ASSERT_EQ(got.size(), want.size());
  float worst = 0;
  for (size_t i = 0; i < got.size(); ++i) worst = std::max(worst, std::abs(got[i] - want[i]));
  EXPECT_LT(worst, 2e-2f) << "max abs difference over " << ids.size() << " positions";
}

}  // namespace

TEST_P(TinyQuant, LogitsMatchTheFloatReferenceOfTheFile) { expect_logits_match_the_float_reference(GetParam(), {}); }

// The kernels a GPU runs, whatever this device would: storage-buffer inputs, norms and gated
// units folded into the linears.
TEST_P(TinyQuant, LogitsMatchWithTheKernelsOfAGpu) {
  ModelOptions options;
  KernelConfig k = KernelConfig::for_device(runtime().device().info());
  if (!k.subgroup_wg) GTEST_SKIP() << "no subgroup arithmetic: the portable kernels run either way";
  k.texel_inputs = false;
  k.row_kernels = false;
  k.fold_inputs = true;
  options.kernels = k;
  expect_logits_match_the_float_reference(GetParam(), options);
}

// The same with every weight larger than the logits of the run (the largest activation) sliced
// over several dispatches (KernelConfig::max_binding_bytes): the embedding table, the output
// head and, in these tiny models, most linears.
TEST(TinyQuantSliced, LogitsMatchWithWeightsSlicedToFitSmallBindings) {
  for (const char* family : {"llama", "qwen3", "gemma2"}) {
    SCOPED_TRACE(family);
    auto logits = shared_fixtures() / "tiny-quant" / family / "reference-logits-q4_k_m.f32";
    if (!std::filesystem::exists(logits)) GTEST_SKIP() << logits << " is absent (../shared/fixtures not beside the checkout)";
    ModelOptions options;
    options.context = 64;  // a KV cache layer within the limit (every kernel binds it whole)
    KernelConfig k = KernelConfig::for_device(runtime().device().info());
    k.texel_inputs = false;
    k.row_kernels = false;
    k.fold_inputs = true;
    k.max_binding_bytes = std::filesystem::file_size(logits);
    options.kernels = k;
    expect_logits_match_the_float_reference({family, "q4_k_m"}, options);
  }
}

}  // namespace rbee::test
