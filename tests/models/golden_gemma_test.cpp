// The gemma plugin's families: Gemma, Gemma 2 (soft-capping, sliding window), Gemma 3 (Q/K norms,
// per-layer-type RoPE). The tiny fixtures use a window of 8, shorter than the golden prompts, so
// the sliding layers' ring-buffer caches wrap.
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

INSTANTIATE_TEST_SUITE_P(Gemma, FamilyGolden,
                         testing::Values(GoldenCase{"gemma", ""}, GoldenCase{"gemma", "model-f32.gguf"},
                                         GoldenCase{"gemma2", ""}, GoldenCase{"gemma2", "model-f32.gguf"},
                                         GoldenCase{"gemma2", "model-f32.gguf", KvType::F32},
                                         GoldenCase{"gemma2_bf16", ""}, GoldenCase{"gemma2_bf16", "model-f32.gguf"},
                                         GoldenCase{"gemma3", ""}, GoldenCase{"gemma3", "model-f32.gguf"}),
                         golden_case_name);

INSTANTIATE_TEST_SUITE_P(Gemma, TinyQuant, testing::ValuesIn(quant_cases("gemma2")), quant_case_name);

namespace {

// Layers 0-4 of the tiny Gemma 3 slide (window 8), layer 5 is global. A sliding layer keeps a
// ring of window + max_batch - 1 rows: every query of a batch still sees its whole window.
void expect_sliding_cache_ring(const std::filesystem::path& path, const ModelOptions& o) {
  Model model(runtime(), path, o);
  const KvCache& cache = model.kv_cache();
  ASSERT_EQ(cache.n_layers(), 6u);
  EXPECT_EQ(cache.layout(0).sliding_window, 8u);
  EXPECT_EQ(cache.layout(5).sliding_window, 0u);
  EXPECT_EQ(cache.rows(5), o.context);
  EXPECT_EQ(cache.rows(0), 8u + o.max_batch - 1u);
}

}  // namespace

TEST(GemmaKvCache, SlidingLayersKeepTheirWindowPlusOneBatch) {
  for (const char* file : {"", "model-f32.gguf"})
    for (uint32_t max_batch : {16u, 512u}) {
      SCOPED_TRACE(std::string(file) + " max_batch " + std::to_string(max_batch));
      ModelOptions o;
      o.context = 1024;
      o.max_batch = max_batch;
      expect_sliding_cache_ring(fixtures() / "tiny" / "gemma3" / file, o);
    }
}

// Older Gemma 3 configs: a global rope_theta, rope_local_base_freq for the sliding layers, and the
// layer pattern as a period instead of layer_types. Same model, same logits.
TEST(GemmaConfig, Gemma3OlderSpellingGivesTheSameLogits) {
  TempDir dir;
  copy_with_config("gemma3", dir, [](nlohmann::json& c) {
    c.erase("rope_parameters");
    c.erase("layer_types");
    c.erase("_sliding_window_pattern");
    c["rope_theta"] = 1000000.0;
    c["rope_local_base_freq"] = 10000.0;
    c["sliding_window_pattern"] = 6;
  });
  EXPECT_LT(worst_logit_difference(dir.path()), 1e-2f);
}

// Without layer_types, Gemma 2's even layers slide.
TEST(GemmaConfig, Gemma2WithoutLayerTypesAlternates) {
  TempDir dir;
  copy_with_config("gemma2", dir, [](nlohmann::json& c) { c.erase("layer_types"); });
  EXPECT_LT(worst_logit_difference(dir.path()), 1e-2f);
}

// Real Gemma 3 4B+ configs scale the global layers' RoPE linearly (factor 8), not the local ones.
TEST(GemmaConfig, LinearScalingOfTheGlobalLayersIsRead) {
  TempDir dir;
  copy_with_config("gemma3", dir, [](nlohmann::json& c) {
    c["rope_parameters"]["full_attention"]["rope_type"] = "linear";
    c["rope_parameters"]["full_attention"]["factor"] = 8.0;
  });
  Model model(runtime(), dir.path(), {});
  EXPECT_EQ(hyperparameter(model, "rope_scaling"), "linear");
  EXPECT_EQ(hyperparameter(model, "rope_factor"), "8");
  EXPECT_EQ(hyperparameter(model, "rope_theta_local"), "10000");
}

TEST(GemmaConfig, UnknownLayerTypeIsRefusedByName) {
  TempDir dir;
  copy_with_config("gemma3", dir, [](nlohmann::json& c) { c["layer_types"][2] = "chunked_attention"; });
  const std::string message = load_error(dir.path());
  EXPECT_NE(message.find("layer_types[2]: \"chunked_attention\" is not supported"), std::string::npos) << message;
}

TEST(GemmaConfig, NestedTextConfigIsRefused) {
  TempDir dir;
  copy_with_config("gemma3", dir, [](nlohmann::json& c) {
    nlohmann::json text = c;
    c = {{"model_type", "gemma3"}, {"text_config", text}};
  });
  const std::string message = load_error(dir.path());
  EXPECT_NE(message.find("text_config"), std::string::npos) << message;
}

}  // namespace rbee::test
