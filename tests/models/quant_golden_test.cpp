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

TEST_P(TinyQuant, LogitsMatchTheFloatReferenceOfTheFile) {
  auto dir = shared_fixtures() / "tiny-quant" / GetParam().family;
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << dir << " is absent (../shared/fixtures not beside the checkout)";
  auto golden = nlohmann::json::parse(std::ifstream(dir / "golden.json"));
  Model model(runtime(), dir / ("model-" + GetParam().type + ".gguf"), {});
  auto ids = golden["input_ids"].get<std::vector<int32_t>>();
  std::vector<float> got = model.eval(ids, true);
  std::vector<float> want = read_f32(dir / ("reference-logits-" + GetParam().type + ".f32"));
  ASSERT_EQ(got.size(), want.size());
  float worst = 0;
  for (size_t i = 0; i < got.size(); ++i) worst = std::max(worst, std::abs(got[i] - want[i]));
  EXPECT_LT(worst, 2e-2f) << "max abs difference over " << ids.size() << " positions";
}

}  // namespace rbee::test
