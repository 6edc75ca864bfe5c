// Llama-family fixtures against transformers: logits at every position and greedy continuations,
// from safetensors and from GGUF, run in-process through the plugin found in the build tree.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

#include "engine/model.hpp"
#include "engine/runtime.hpp"
#include "fixtures_path.hpp"
#include "models/model_test_util.hpp"

namespace rbee {
namespace {

struct Case {
  std::string family;
  std::string file;  // "" = the folder (safetensors)
  KvType kv = KvType::F16;
};

std::string name_of(const testing::TestParamInfo<Case>& info) {
  std::string n = info.param.family + "_" + (info.param.file.empty() ? "safetensors" : info.param.file) +
                  (info.param.kv == KvType::F32 ? "_kv32" : "");
  std::replace_if(n.begin(), n.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
  return n;
}

class LlamaFamilyGolden : public testing::TestWithParam<Case> {
 protected:
  std::filesystem::path dir() const { return test::fixtures() / "tiny" / GetParam().family; }
  nlohmann::json golden() const { return nlohmann::json::parse(std::ifstream(dir() / "golden.json")); }
  std::unique_ptr<Model> load() const {
    ModelOptions o;
    o.kv_type = GetParam().kv;
    return std::make_unique<Model>(test::runtime(), GetParam().file.empty() ? dir() : dir() / GetParam().file, o);
  }
};

TEST_P(LlamaFamilyGolden, LogitsMatchTransformersAtEveryPosition) {
  auto g = golden();
  auto model = load();
  std::vector<int32_t> ids = g["input_ids"].get<std::vector<int32_t>>();
  std::vector<float> got = model->eval(ids, true);
  std::vector<float> want = test::read_f32(dir() / "logits.f32");
  ASSERT_EQ(got.size(), want.size());
  float worst = 0;
  for (size_t i = 0; i < got.size(); ++i) worst = std::max(worst, std::abs(got[i] - want[i]));
  EXPECT_LT(worst, 1e-2f) << "max abs difference over " << ids.size() << " positions";
}

TEST_P(LlamaFamilyGolden, GreedyContinuationMatchesTransformers) {
  auto g = golden();
  auto model = load();
  std::vector<int32_t> prompt = g["greedy_prompt_ids"].get<std::vector<int32_t>>();
  std::vector<int32_t> want = g["greedy_continuation_ids"].get<std::vector<int32_t>>();
  // The decode path of greedy sampling: the argmax is taken on the device (top-1).
  std::vector<int32_t> got{model->eval_top(prompt, 1).at(0).id};
  while (got.size() < want.size()) got.push_back(model->eval_top(std::span<const int32_t>(&got.back(), 1), 1).at(0).id);
  EXPECT_EQ(got, want);
}

INSTANTIATE_TEST_SUITE_P(Tiny, LlamaFamilyGolden,
                         testing::Values(Case{"llama", ""}, Case{"llama", "model-f32.gguf"},
                                         Case{"llama", "model-f16.gguf"}, Case{"llama", "model-bf16.gguf"},
                                         Case{"llama", "model-f32.gguf", KvType::F32}, Case{"llama3", ""},
                                         Case{"llama3", "model-f32.gguf"}, Case{"mistral", ""},
                                         Case{"mistral", "model-f32.gguf"}, Case{"llama_bf16", ""},
                                         Case{"llama_bf16", "model-f32.gguf"}),
                         name_of);

}  // namespace
}  // namespace rbee
