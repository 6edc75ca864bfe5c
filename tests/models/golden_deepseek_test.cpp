// The deepseek plugin's families: DeepSeek-V2 (Lite: no Q LoRA, softmax routing) and DeepSeek-V3
// (Q LoRA, sigmoid routing with a correction bias in groups, scaled weights), both with
// multi-head latent attention whose cache holds one latent and one rotary key per token, and
// YaRN RoPE. The deepseek_v2 GGUF is one llama.cpp refuses (it guesses "Lite" from the layer
// count); an absent q_lora_rank is what says "no Q LoRA".
#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>

#include <nlohmann/json.hpp>

#include "engine/model.hpp"
#include "fixtures_path.hpp"
#include "models/golden_suite.hpp"
#include "models/model_test_util.hpp"
#include "temp_dir.hpp"

namespace rbee::test {

INSTANTIATE_TEST_SUITE_P(DeepSeek, FamilyGolden,
                         testing::Values(GoldenCase{"deepseek_v2", ""}, GoldenCase{"deepseek_v2", "model-f32.gguf"},
                                         GoldenCase{"deepseek_v3", ""}, GoldenCase{"deepseek_v3", "model-f32.gguf"}),
                         golden_case_name);

namespace {

// Adds float32 tensors (zeros) to a safetensors file: what a checkpoint with multi-token
// prediction carries past its last layer.
void add_safetensors_tensors(const std::filesystem::path& file,
                             const std::vector<std::pair<std::string, std::vector<int64_t>>>& tensors) {
  std::ifstream in(file, std::ios::binary);
  uint64_t header_size = 0;
  in.read(reinterpret_cast<char*>(&header_size), 8);
  std::string header(header_size, '\0');
  in.read(header.data(), std::streamsize(header_size));
  std::vector<char> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  in.close();
  auto json = nlohmann::json::parse(header);
  for (const auto& [name, shape] : tensors) {
    int64_t count = 1;
    for (int64_t d : shape) count *= d;
    const size_t begin = data.size();
    data.resize(begin + size_t(count) * 4, 0);
    json[name] = {{"dtype", "F32"}, {"shape", shape}, {"data_offsets", {begin, data.size()}}};
  }
  std::string out_header = json.dump();
  out_header.append((8 - out_header.size() % 8) % 8, ' ');
  uint64_t out_size = out_header.size();
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(&out_size), 8);
  out.write(out_header.data(), std::streamsize(out_header.size()));
  out.write(data.data(), std::streamsize(data.size()));
}

}  // namespace

// Multi-head latent attention caches (kv_lora_rank + qk_rope_head_dim) = 32 + 8 values per token
// and layer, the values being the first 32 of them, instead of every head's keys and values
// (4 heads x (24 + 16)).
TEST(DeepSeekKvCache, HoldsTheLatentAndTheRotaryKeyOnce) {
  for (const char* family : {"deepseek_v2", "deepseek_v3"})
    for (const char* file : {"", "model-f32.gguf"}) {
      SCOPED_TRACE(std::string(family) + " " + file);
      ModelOptions o;
      o.context = 256;
      Model model(runtime(), fixtures() / "tiny" / family / file, o);
      const KvCache& cache = model.kv_cache();
      ASSERT_EQ(cache.n_layers(), 2u);
      uint64_t rows = 0;
      for (size_t l = 0; l < cache.n_layers(); ++l) {
        const rbee_kv_layout& layout = cache.layout(l);
        EXPECT_EQ(layout.n_kv_heads, 1u);
        EXPECT_EQ(layout.head_dim_k, 40u);
        EXPECT_EQ(layout.head_dim_v, 32u);
        EXPECT_EQ(layout.values_in_keys, 1u);
        EXPECT_EQ(layout.sliding_window, 0u);
        EXPECT_EQ(cache.rows(l), 256u);
        rows += cache.rows(l);
      }
      // f16: 2 bytes per value, and no separate value buffer.
      EXPECT_EQ(cache.bytes(), rows * 40u * 2u);
      EXPECT_EQ(hyperparameter(model, "kv_cache_bytes_per_token"), std::to_string(40 * 2 * 2));
      EXPECT_EQ(hyperparameter(model, "kv_cache_bytes_per_token_mha"), std::to_string(4 * 40 * 2 * 2));
    }
}

// V2-Lite's config says "q_lora_rank": null (older ones omit it) and its GGUF has no
// attention.q_lora_rank: queries come straight from q_proj. V3 has a Q LoRA of 48.
TEST(DeepSeekConfig, QLoraRankAbsentMeansNone) {
  for (const char* file : {"", "model-f32.gguf"}) {
    SCOPED_TRACE(file);
    Model v2(runtime(), fixtures() / "tiny" / "deepseek_v2" / file, {});
    EXPECT_EQ(hyperparameter(v2, "q_lora_rank"), "none");
    Model v3(runtime(), fixtures() / "tiny" / "deepseek_v3" / file, {});
    EXPECT_EQ(hyperparameter(v3, "q_lora_rank"), "48");
  }
  TempDir dir;
  copy_with_config("deepseek_v2", dir, [](nlohmann::json& c) { c.erase("q_lora_rank"); });
  EXPECT_LT(worst_logit_difference(dir.path()), 1e-2f);
}

// A q_lora_rank that is present is used: V2's file then lacks the LoRA tensors, named in the error.
TEST(DeepSeekConfig, QLoraRankPresentWantsTheLoraTensors) {
  TempDir dir;
  copy_with_config("deepseek_v2", dir, [](nlohmann::json& c) { c["q_lora_rank"] = 48; });
  const std::string message = load_error(dir.path());
  EXPECT_NE(message.find("model.layers.0.self_attn.q_a_proj.weight"), std::string::npos) << message;
}

// Routing as read from each config.
TEST(DeepSeekConfig, RoutingIsDescribed) {
  for (const char* file : {"", "model-f32.gguf"}) {
    SCOPED_TRACE(file);
    Model v2(runtime(), fixtures() / "tiny" / "deepseek_v2" / file, {});
    EXPECT_EQ(hyperparameter(v2, "expert_gating"), "softmax");
    EXPECT_EQ(hyperparameter(v2, "expert_groups"), "");
    EXPECT_EQ(hyperparameter(v2, "moe_layers"), "1");
    EXPECT_EQ(hyperparameter(v2, "shared_experts"), "1");
    Model v3(runtime(), fixtures() / "tiny" / "deepseek_v3" / file, {});
    EXPECT_EQ(hyperparameter(v3, "expert_gating"), "sigmoid");
    EXPECT_EQ(hyperparameter(v3, "expert_groups"), "4 (best 2, scored by top 2)");
    EXPECT_EQ(hyperparameter(v3, "expert_weights"), "renormalized");
    EXPECT_EQ(hyperparameter(v3, "expert_scale"), "2.5");
    EXPECT_EQ(hyperparameter(v3, "rope_scaling"), "yarn");
  }
}

// Released V3/R1 checkpoints carry a multi-token-prediction layer after the last one
// (num_nextn_predict_layers): it is not run, and its tensors do not disturb loading.
TEST(DeepSeekConfig, MultiTokenPredictionLayerIsLeftOut) {
  TempDir dir;
  copy_with_config("deepseek_v3", dir, [](nlohmann::json& c) { c["num_nextn_predict_layers"] = 1; });
  add_safetensors_tensors(dir / "model.safetensors",
                          {{"model.layers.2.enorm.weight", {64}},
                           {"model.layers.2.hnorm.weight", {64}},
                           {"model.layers.2.eh_proj.weight", {64, 128}},
                           {"model.layers.2.input_layernorm.weight", {64}},
                           {"model.layers.2.self_attn.kv_b_proj.weight", {128, 32}},
                           {"model.layers.2.mlp.gate.weight", {8, 64}},
                           {"model.layers.2.shared_head.norm.weight", {64}}});
  Model model(runtime(), dir.path(), {});
  EXPECT_EQ(hyperparameter(model, "layers"), "2");
  EXPECT_EQ(model.kv_cache().n_layers(), 2u);
  EXPECT_LT(worst_logit_difference(dir.path()), 1e-2f);
}

TEST(DeepSeekConfig, UnknownScoringFunctionIsRefusedByName) {
  TempDir dir;
  copy_with_config("deepseek_v3", dir, [](nlohmann::json& c) { c["scoring_func"] = "sqrtsoftplus"; });
  const std::string message = load_error(dir.path());
  EXPECT_NE(message.find("scoring_func: \"sqrtsoftplus\" is not supported"), std::string::npos) << message;
}

}  // namespace rbee::test
