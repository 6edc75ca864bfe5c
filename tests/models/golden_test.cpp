// The FamilyGolden suite: a tiny fixture against transformers, run in-process through the plugin
// found in the build tree. Each family instantiates it in golden_<family>_test.cpp.
#include <algorithm>
#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

#include "engine/model.hpp"
#include "fixtures_path.hpp"
#include "models/golden_suite.hpp"
#include "models/model_test_util.hpp"

namespace rbee::test {

std::string golden_case_name(const testing::TestParamInfo<GoldenCase>& info) {
  std::string n = info.param.family + "_" + (info.param.file.empty() ? "safetensors" : info.param.file) +
                  (info.param.kv == KvType::F32 ? "_kv32" : "");
  std::replace_if(n.begin(), n.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
  return n;
}

namespace {

std::filesystem::path dir(const GoldenCase& c) { return fixtures() / "tiny" / c.family; }

std::unique_ptr<Model> load(const GoldenCase& c) {
  ModelOptions o;
  o.kv_type = c.kv;
  return std::make_unique<Model>(runtime(), c.file.empty() ? dir(c) : dir(c) / c.file, o);
}

}  // namespace

TEST_P(FamilyGolden, LogitsMatchTransformersAtEveryPosition) {
  auto g = nlohmann::json::parse(std::ifstream(dir(GetParam()) / "golden.json"));
  auto model = load(GetParam());
  std::vector<int32_t> ids = g["input_ids"].get<std::vector<int32_t>>();
  std::vector<float> got = model->eval(ids, true);
  std::vector<float> want = read_f32(dir(GetParam()) / "logits.f32");
  ASSERT_EQ(got.size(), want.size());
  float worst = 0;
  size_t worst_at = 0;
  for (size_t i = 0; i < got.size(); ++i)
    if (std::abs(got[i] - want[i]) > worst) worst = std::abs(got[i] - want[i]), worst_at = i;
  EXPECT_LT(worst, 1e-2f) << "max abs difference over " << ids.size() << " positions, at position "
                          << worst_at / model->n_vocab() << " token " << worst_at % model->n_vocab();
}

TEST_P(FamilyGolden, GreedyContinuationMatchesTransformers) {
  auto g = nlohmann::json::parse(std::ifstream(dir(GetParam()) / "golden.json"));
  auto model = load(GetParam());
  std::vector<int32_t> prompt = g["greedy_prompt_ids"].get<std::vector<int32_t>>();
  std::vector<int32_t> want = g["greedy_continuation_ids"].get<std::vector<int32_t>>();
  // The decode path of greedy sampling: the argmax is taken on the device (top-1).
  std::vector<int32_t> got{model->eval_top(prompt, 1).at(0).id};
  while (got.size() < want.size()) got.push_back(model->eval_top(std::span<const int32_t>(&got.back(), 1), 1).at(0).id);
  EXPECT_EQ(got, want);
}

}  // namespace rbee::test
