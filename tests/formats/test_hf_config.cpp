#include <gtest/gtest.h>

#include "fixtures_path.hpp"
#include "formats/hf_config.hpp"
#include "formats/safetensors.hpp"
#include "temp_dir.hpp"
#include "formats/test_util.hpp"

namespace rbee {
namespace {

using nlohmann::json;
using test::expect_format_error;

TEST(HfConfig, NewSpellingGivesOldKeys) {
  json c = json::parse(R"({"rope_parameters": {"rope_theta": 500000.0, "rope_type": "llama3",
                           "factor": 8.0, "low_freq_factor": 1.0}})");
  normalize_rope(c);
  EXPECT_EQ(c["rope_theta"], 500000.0);
  EXPECT_EQ(c["rope_scaling"]["rope_type"], "llama3");
  EXPECT_EQ(c["rope_scaling"]["type"], "llama3");
  EXPECT_EQ(c["rope_scaling"]["factor"], 8.0);
  EXPECT_FALSE(c["rope_scaling"].contains("rope_theta"));
  EXPECT_EQ(c["rope_parameters"]["rope_theta"], 500000.0);  // originals stay
}

TEST(HfConfig, UnscaledNewSpellingGivesNullScaling) {
  json c = json::parse(R"({"rope_parameters": {"rope_theta": 10000.0, "rope_type": "default"}})");
  normalize_rope(c);
  EXPECT_EQ(c["rope_theta"], 10000.0);
  EXPECT_TRUE(c["rope_scaling"].is_null());
}

TEST(HfConfig, OldSpellingGivesNewKeys) {
  json c = json::parse(R"({"rope_theta": 1000000.0, "rope_scaling": {"type": "linear", "factor": 2.0}})");
  normalize_rope(c);
  EXPECT_EQ(c["rope_parameters"]["rope_theta"], 1000000.0);
  EXPECT_EQ(c["rope_parameters"]["rope_type"], "linear");
  EXPECT_EQ(c["rope_parameters"]["factor"], 2.0);
  EXPECT_FALSE(c["rope_parameters"].contains("type"));
  EXPECT_EQ(c["rope_scaling"]["rope_type"], "linear");
  EXPECT_EQ(c["rope_scaling"]["type"], "linear");

  json plain = json::parse(R"({"rope_theta": 10000.0, "rope_scaling": null})");
  normalize_rope(plain);
  EXPECT_EQ(plain["rope_parameters"], json::parse(R"({"rope_theta": 10000.0, "rope_type": "default"})"));
}

TEST(HfConfig, PartialRotaryFactorInBothSpellings) {
  json fresh = json::parse(R"({"rope_parameters": {"rope_theta": 1e4, "rope_type": "default",
                               "partial_rotary_factor": 0.5}})");
  normalize_rope(fresh);
  EXPECT_EQ(fresh["partial_rotary_factor"], 0.5);
  EXPECT_TRUE(fresh["rope_scaling"].is_null());

  json old = json::parse(R"({"rope_theta": 1e4, "partial_rotary_factor": 0.25})");
  normalize_rope(old);
  EXPECT_EQ(old["rope_parameters"]["partial_rotary_factor"], 0.25);
  EXPECT_EQ(old["rope_parameters"]["rope_type"], "default");
}

TEST(HfConfig, PerLayerTypeParametersStayAsTheyAre) {
  const auto text = R"({"rope_parameters": {
      "full_attention": {"rope_theta": 1000000.0, "rope_type": "linear", "factor": 8.0},
      "sliding_attention": {"rope_theta": 10000.0, "rope_type": "default"}}})";
  json c = json::parse(text);
  normalize_rope(c);
  EXPECT_EQ(c, json::parse(text));
}

TEST(HfConfig, BothSpellingsReadTheSameThroughMeta) {
  test::TempDir dir;
  const auto load = [&](std::string_view config) {
    dir.write("config.json", config);
    dir.write("model.safetensors", std::string_view("\x02\0\0\0\0\0\0\0{}", 10));
    return SafetensorsSource(dir.path());
  };
  const auto fresh = load(R"({"rope_parameters": {"rope_theta": 500000.0, "rope_type": "llama3", "factor": 8.0}})");
  const auto old = load(R"({"rope_theta": 500000.0, "rope_scaling": {"rope_type": "llama3", "factor": 8.0}})");
  for (const auto* src : {&fresh, &old}) {
    for (const char* key : {"rope_theta", "rope_parameters.rope_theta"})
      EXPECT_EQ(*src->meta(key), 500000.0) << key;
    for (const char* key : {"rope_scaling.factor", "rope_parameters.factor"})
      EXPECT_EQ(*src->meta(key), 8.0) << key;
    for (const char* key : {"rope_scaling.rope_type", "rope_scaling.type", "rope_parameters.rope_type"})
      EXPECT_EQ(*src->meta(key), "llama3") << key;
  }
}

TEST(HfConfig, Llama3FixtureExposesBothSpellings) {
  const SafetensorsSource src(test::fixtures() / "tiny" / "llama3");
  EXPECT_EQ(*src.meta("rope_theta"), 500000.0);
  EXPECT_EQ(*src.meta("rope_scaling.factor"), 8.0);
  EXPECT_EQ(*src.meta("rope_scaling.original_max_position_embeddings"), 64);
}

TEST(HfConfig, Gemma3SharedFixtureKeepsPerLayerType) {
  const auto file = test::shared_fixtures() / "tiny" / "gemma3" / "config.json";
  if (!std::filesystem::exists(file)) GTEST_SKIP() << file << " is absent";
  const auto c = load_hf_config(file);
  EXPECT_EQ(c["rope_parameters"]["full_attention"]["rope_theta"], 1000000.0);
  EXPECT_FALSE(c.contains("rope_theta"));
  EXPECT_FALSE(c.contains("rope_scaling"));
}

TEST(HfConfig, MissingOrBrokenFiles) {
  test::TempDir dir;
  expect_format_error([&] { load_hf_config(dir.path() / "config.json"); },
                      {"config.json", "no such file"});
  dir.write("config.json", "{\"a\": ");
  expect_format_error([&] { load_hf_config(dir.path() / "config.json"); },
                      {"config.json", "JSON"});
  dir.write("config.json", "[1]");
  expect_format_error([&] { load_hf_config(dir.path() / "config.json"); },
                      {"config.json", "object"});
}

}  // namespace
}  // namespace rbee
