// The gpt-oss-20b preset: its structure, shrunk to the tiny fixture's sizes, is llama.cpp's own
// (tensor names and shapes, and the gpt-oss.* keys with their types, equal those of
// tests/fixtures/tiny/gpt_oss/model-f32.gguf, which llama.cpp's converter wrote); in mxfp4 the
// experts are MXFP4, other matrices Q8_0, biases, sinks and norms F32; the gpt_oss plugin runs it.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "engine/model.hpp"
#include "engine/runtime.hpp"
#include "formats/model_source.hpp"
#include "gguf_kv_types.hpp"
#include "synth/synth.hpp"
#include "temp_dir.hpp"

namespace rbee::synth {
namespace {

const std::filesystem::path kFixture = std::filesystem::path(RBEE_TEST_FIXTURES) / "tiny/gpt_oss/model-f32.gguf";

// gpt-oss-20b in the fixture's sizes (config.json of tests/fixtures/tiny/gpt_oss).
Preset tiny_gpt_oss() {
  Preset p = *find_preset("gpt-oss-20b");
  p.n_embd = 64;
  p.n_layer = 2;
  p.n_head = 4;
  p.n_head_kv = 2;
  p.head_dim = 16;
  p.n_ff = 128;
  p.n_vocab = 512;
  p.n_expert = 4;
  p.n_expert_used = 2;
  p.context = 256;
  p.sliding_window = 8;
  p.rope_theta = 150000;
  p.yarn = {.factor = 4, .original_context = 64, .beta_fast = 32, .beta_slow = 1};
  return p;
}

std::filesystem::path write(const test::TempDir& dir, FileType type) {
  SynthOptions o;
  o.output = dir.path() / "tiny-gpt-oss.gguf";
  write_plan(plan_model(tiny_gpt_oss(), type), o);
  return o.output;
}

std::map<std::string, test::KvType> arch_keys(const std::filesystem::path& path) {
  std::map<std::string, test::KvType> out;
  for (const auto& [key, type] : test::gguf_kv_types(path))
    if (key.starts_with("gpt-oss.")) out[key] = type;
  return out;
}

TEST(SynthGptOss, TensorsAndKeysAreLlamaCppsOwn) {
  test::TempDir dir;
  const auto path = write(dir, FileType::F32);
  auto ours = ModelSource::open(path), theirs = ModelSource::open(kFixture);
  std::map<std::string, std::vector<uint64_t>> a, b;
  for (const auto& t : ours->tensors()) a[t.name] = t.shape;
  for (const auto& t : theirs->tensors()) b[t.name] = t.shape;
  EXPECT_EQ(a, b);
  const auto ka = arch_keys(path), kb = arch_keys(kFixture);
  ASSERT_EQ(ka.size(), kb.size());
  for (const auto& [key, type] : kb) {
    ASSERT_TRUE(ka.count(key)) << key;
    EXPECT_EQ(ka.at(key).type, type.type) << key;
    EXPECT_EQ(*ours->meta(key), *theirs->meta(key)) << key;
  }
}

TEST(SynthGptOss, Mxfp4ExpertsAndTheRestAsLlamaCppMakesThem) {
  test::TempDir dir;
  auto src = ModelSource::open(write(dir, FileType::MXFP4));
  for (const auto& t : src->tensors()) {
    const bool experts = t.name.ends_with("_exps.weight");
    const bool matrix = t.shape.size() == 2 && t.name.ends_with(".weight") && t.name.find("ffn_gate_inp") == std::string::npos;
    const DType want = experts ? DType::MXFP4 : matrix ? DType::Q8_0 : DType::F32;
    EXPECT_EQ(t.dtype, want) << t.name;
  }
}

TEST(SynthGptOss, TheGptOssPluginRunsIt) {
  test::TempDir dir;
  static Runtime rt([] {
    RuntimeOptions o;
    o.plugin_dirs = {std::filesystem::path(RBEE_BINARY_DIR) / "plugins"};
    return o;
  }());
  Model model(rt, write(dir, FileType::MXFP4), {});
  EXPECT_EQ(model.architecture(), "gpt-oss");
  const std::vector<int32_t> ids = {1, 300, 301, 511, 7, 8, 9, 10, 11, 12};  // past the window of 8
  const std::vector<float> logits = model.eval(ids, true);
  ASSERT_EQ(logits.size(), ids.size() * 512u);
  float spread = 0;
  for (float v : logits) {
    ASSERT_TRUE(std::isfinite(v));
    spread = std::max(spread, std::abs(v - logits[0]));
  }
  EXPECT_GT(spread, 0.0f);
}

}  // namespace
}  // namespace rbee::synth
