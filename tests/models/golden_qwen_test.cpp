// The qwen plugin's families: Qwen2/2.5 (Q/K/V biases, tied embeddings), Qwen3 (per-head Q/K
// norms, explicit head size), Qwen2-MoE (routed experts plus a gated shared expert) and Qwen3-MoE
// (renormalized routed experts), and how it reads config.json's attention and expert layout.
#include <algorithm>
#include <cmath>
#include <fstream>

#include <nlohmann/json.hpp>

#include "engine/model.hpp"
#include "fixtures_path.hpp"
#include "models/golden_suite.hpp"
#include "models/model_test_util.hpp"
#include "temp_dir.hpp"

namespace rbee::test {

// model-q8_0.gguf is not here: its weights alone move the logits 0.09 from transformers (a float
// evaluation of the dequantized file lands there too); TinyQuant covers quantized files.
INSTANTIATE_TEST_SUITE_P(Qwen, FamilyGolden,
                         testing::Values(GoldenCase{"qwen2", ""}, GoldenCase{"qwen2", "model-f32.gguf"},
                                         GoldenCase{"qwen2", "model-f16.gguf"}, GoldenCase{"qwen2", "model-bf16.gguf"},
                                         GoldenCase{"qwen2_bf16", ""}, GoldenCase{"qwen2_bf16", "model-f32.gguf"},
                                         GoldenCase{"qwen3", ""}, GoldenCase{"qwen3", "model-f32.gguf"},
                                         GoldenCase{"qwen2_moe", ""}, GoldenCase{"qwen2_moe", "model-f32.gguf"},
                                         GoldenCase{"qwen3_moe", ""}, GoldenCase{"qwen3_moe", "model-f32.gguf"}),
                         golden_case_name);

INSTANTIATE_TEST_SUITE_P(Qwen, TinyQuant, testing::ValuesIn(quant_cases("qwen3")), quant_case_name);
INSTANTIATE_TEST_SUITE_P(QwenMoe, TinyQuant, testing::ValuesIn(quant_cases("qwen3_moe")), quant_case_name);

TEST(QwenConfig, MissingRequiredKeyIsNamedWithTheFile) {
  TempDir dir;
  copy_with_config("qwen3", dir, [](nlohmann::json& c) { c.erase("head_dim"); });
  const std::string message = load_error(dir.path());
  EXPECT_NE(message.find("config.json"), std::string::npos) << message;
  EXPECT_NE(message.find("head_dim: missing"), std::string::npos) << message;
}

TEST(QwenConfig, UnknownLayerTypeIsRefusedByName) {
  TempDir dir;
  copy_with_config("qwen2", dir, [](nlohmann::json& c) { c["layer_types"][1] = "chunked_attention"; });
  const std::string message = load_error(dir.path());
  EXPECT_NE(message.find("layer_types[1]: \"chunked_attention\" is not supported"), std::string::npos) << message;
}

TEST(QwenConfig, SlidingLayerNeedsAWindowLength) {
  TempDir dir;
  copy_with_config("qwen2", dir, [](nlohmann::json& c) { c["layer_types"][0] = "sliding_attention"; });
  const std::string message = load_error(dir.path());
  EXPECT_NE(message.find("layer_types[0]: sliding_attention needs"), std::string::npos) << message;
}

// A window longer than the input changes nothing: the sliding layer gives transformers' logits.
TEST(QwenConfig, SlidingLayerWiderThanTheInputMatchesFullAttention) {
  TempDir dir;
  copy_with_config("qwen2", dir, [](nlohmann::json& c) {
    c["use_sliding_window"] = true;
    c["sliding_window"] = 64;
    c["layer_types"][1] = "sliding_attention";
  });
  Model model(runtime(), dir.path(), {});
  const auto params = model.hyperparameters();
  EXPECT_NE(std::find(params.begin(), params.end(), std::pair<std::string, std::string>{"layer_pattern", "GS"}), params.end());
  auto golden = nlohmann::json::parse(std::ifstream(dir / "golden.json"));
  std::vector<float> got = model.eval(golden["input_ids"].get<std::vector<int32_t>>(), true);
  std::vector<float> want = read_f32(dir / "logits.f32");
  ASSERT_EQ(got.size(), want.size());
  float worst = 0;
  for (size_t i = 0; i < got.size(); ++i) worst = std::max(worst, std::abs(got[i] - want[i]));
  EXPECT_LT(worst, 1e-2f);
}

// Qwen2-MoE and Qwen3-MoE configs: which layers use experts, and what is refused by name.
TEST(QwenMoeConfig, ExpertsAndSharedExpertAreDescribed) {
  Model model(runtime(), fixtures() / "tiny" / "qwen2_moe", {});
  const auto params = model.hyperparameters();
  auto has = [&](const char* k, const char* v) {
    return std::find(params.begin(), params.end(), std::pair<std::string, std::string>{k, v}) != params.end();
  };
  EXPECT_TRUE(has("experts", "4"));
  EXPECT_TRUE(has("experts_used", "2"));
  EXPECT_TRUE(has("expert_ffn", "64"));
  EXPECT_TRUE(has("shared_ffn", "96"));
  EXPECT_TRUE(has("expert_weights", "softmax"));  // norm_topk_prob false
  EXPECT_TRUE(has("moe_layers", "2"));
}

// A layer in mlp_only_layers (or off the decoder_sparse_step grid) uses the dense MLP: the
// fixture has none, so the load names the dense tensor that layer wants.
TEST(QwenMoeConfig, MlpOnlyLayerUsesTheDenseMlp) {
  TempDir dir;
  copy_with_config("qwen3_moe", dir, [](nlohmann::json& c) { c["mlp_only_layers"] = {1}; });
  const std::string message = load_error(dir.path());
  EXPECT_NE(message.find("model.layers.1.mlp.gate_proj.weight"), std::string::npos) << message;
}

TEST(QwenMoeConfig, SparseStepLeavesTheOtherLayersDense) {
  TempDir dir;
  copy_with_config("qwen2_moe", dir, [](nlohmann::json& c) { c["decoder_sparse_step"] = 2; });
  const std::string message = load_error(dir.path());
  EXPECT_NE(message.find("model.layers.0.mlp.gate_proj.weight"), std::string::npos) << message;
}

TEST(QwenMoeConfig, ZeroSparseStepIsRefusedByName) {
  TempDir dir;
  copy_with_config("qwen2_moe", dir, [](nlohmann::json& c) { c["decoder_sparse_step"] = 0; });
  const std::string message = load_error(dir.path());
  EXPECT_NE(message.find("decoder_sparse_step"), std::string::npos) << message;
}

TEST(QwenMoeConfig, MoreExpertsPerTokenThanExpertsIsRefusedByName) {
  TempDir dir;
  copy_with_config("qwen3_moe", dir, [](nlohmann::json& c) { c["num_experts_per_tok"] = 5; });
  const std::string message = load_error(dir.path());
  EXPECT_NE(message.find("num_experts_per_tok"), std::string::npos) << message;
}

}  // namespace rbee::test
