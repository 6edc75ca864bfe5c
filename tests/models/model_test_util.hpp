#pragma once
#include <cstring>
#include <filesystem>
#include <random>
#include <fstream>
#include <vector>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include <nlohmann/json.hpp>

#include "engine/model.hpp"
#include "engine/runtime.hpp"
#include "fixtures_path.hpp"
#include "temp_dir.hpp"

namespace rbee::test {

// One runtime for the whole test binary, with the plugins of this build tree.
inline Runtime& runtime() {
  static Runtime rt([] {
    RuntimeOptions o;
    o.plugin_dirs = {std::filesystem::path(RBEE_BINARY_DIR) / "plugins"};
    return o;
  }());
  return rt;
}

// n token ids drawn with a seed from 3..249 (below every tiny fixture's vocabulary size).
inline std::vector<int32_t> random_prompt(size_t n, uint32_t seed, uint32_t vocab) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int32_t> pick(3, static_cast<int32_t>(std::min<uint32_t>(vocab, 250)) - 1);
  std::vector<int32_t> ids(n);
  for (auto& id : ids) id = pick(rng);
  return ids;
}

// A raw little-endian float32 file.
inline std::vector<float> read_f32(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<float> v(bytes.size() / 4);
  std::memcpy(v.data(), bytes.data(), v.size() * 4);
  return v;
}

// Largest |a[i] - b[i]|; a size mismatch fails the test.
inline float max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
  EXPECT_EQ(a.size(), b.size());
  float worst = 0;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i) worst = std::max(worst, std::abs(a[i] - b[i]));
  return worst;
}

// A copy of the tiny fixture folder `family` in dir, with config.json changed by `edit`.
template <typename Edit>
void copy_with_config(const std::string& family, const TempDir& dir, Edit edit) {
  const auto from = fixtures() / "tiny" / family;
  for (const auto& f : std::filesystem::directory_iterator(from)) std::filesystem::copy(f.path(), dir.path());
  auto config = nlohmann::json::parse(std::ifstream(from / "config.json"));
  edit(config);
  std::filesystem::remove(dir / "config.json");
  dir.write("config.json", config.dump(2));
}

// The ModelError loading folder gives, or "" when it loads.
inline std::string load_error(const std::filesystem::path& folder) {
  try {
    Model model(runtime(), folder, {});
  } catch (const ModelError& e) {
    return e.what();
  }
  return "";
}

// A hyperparameter as the plugin's describe() gives it, or "".
inline std::string hyperparameter(const Model& model, const std::string& key) {
  for (const auto& [k, v] : model.hyperparameters())
    if (k == key) return v;
  return "";
}

// Max abs difference from transformers' logits (logits.f32) of the folder's golden input.
inline float worst_logit_difference(const std::filesystem::path& folder) {
  Model model(runtime(), folder, {});
  auto golden = nlohmann::json::parse(std::ifstream(folder / "golden.json"));
  std::vector<float> got = model.eval(golden["input_ids"].get<std::vector<int32_t>>(), true);
  std::vector<float> want = read_f32(folder / "logits.f32");
  if (got.size() != want.size()) return INFINITY;
  return max_abs_diff(got, want);
}

}  // namespace rbee::test
