// The phi plugin's families: Phi-2 and Phi-3, against transformers; quantized Phi-3 against its
// own dequantized weights; LongRoPE (Phi-3 128k) in both formats.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <optional>

#include <nlohmann/json.hpp>

#include "engine/model.hpp"
#include "fixtures_path.hpp"
#include "formats/gguf.hpp"
#include "models/golden_suite.hpp"
#include "models/model_test_util.hpp"
#include "quant/quant.hpp"
#include "synth/gguf_writer.hpp"
#include "temp_dir.hpp"

namespace rbee::test {

INSTANTIATE_TEST_SUITE_P(Phi, FamilyGolden,
                         testing::Values(GoldenCase{"phi", ""}, GoldenCase{"phi", "model-f32.gguf"}, GoldenCase{"phi3", ""},
                                         GoldenCase{"phi3", "model-f32.gguf"}),
                         golden_case_name);

namespace {

using nlohmann::json;

// One metadata value as GGUF stores it; the loaders read numbers whatever their width.
void add_value(synth::GgufWriter& w, const std::string& key, const json& v) {
  if (v.is_boolean()) return w.add_bool(key, v.get<bool>());
  if (v.is_number_unsigned() && v.get<uint64_t>() > UINT32_MAX) return w.add_u64(key, v.get<uint64_t>());
  if (v.is_number_unsigned()) return w.add_u32(key, v.get<uint32_t>());
  if (v.is_number_integer()) return w.add_i32(key, v.get<int32_t>());
  if (v.is_number_float()) return w.add_f32(key, v.get<float>());
  if (v.is_string()) return w.add_string(key, v.get<std::string>());
  if (!v.is_array() || v.empty()) throw std::runtime_error(key + ": no GGUF value for " + v.dump());
  if (v[0].is_string()) return w.add_array(key, std::span<const std::string>(v.get<std::vector<std::string>>()));
  if (std::all_of(v.begin(), v.end(), [](const json& e) { return e.is_number_integer(); }))
    return w.add_array(key, std::span<const int32_t>(v.get<std::vector<int32_t>>()));
  w.add_array(key, std::span<const float>(v.get<std::vector<float>>()));
}

struct F32Tensor {
  std::string name;
  std::vector<uint64_t> shape;  // outermost first
  std::vector<float> values;
};

// Every tensor of a GGUF file dequantized to float32.
std::vector<F32Tensor> dequantized(const GgufSource& in) {
  std::vector<F32Tensor> out;
  for (const TensorView& t : in.tensors()) {
    out.push_back({t.name, t.shape, std::vector<float>(t.elements())});
    quant::dequantize(t.dtype, {t.data, t.nbytes}, out.back().values);
  }
  return out;
}

// A float32 GGUF of `tensors` with the metadata of `like`, the keys of `changes` replaced or added.
void write_gguf(const GgufSource& like, const std::filesystem::path& to, const json& changes,
                const std::vector<F32Tensor>& tensors) {
  json meta = like.metadata();
  meta["general.file_type"] = 0u;  // all F32
  meta.update(changes);
  synth::GgufWriter w(like.alignment());
  for (const auto& [key, value] : meta.items())
    if (key != "general.alignment") add_value(w, key, value);
  // GGUF lists dimensions innermost first.
  for (const F32Tensor& t : tensors) w.add_tensor(t.name, {t.shape.rbegin(), t.shape.rend()}, DType::F32);
  w.open(to);
  for (const F32Tensor& t : tensors)
    w.write({reinterpret_cast<const uint8_t*>(t.values.data()), t.values.size() * sizeof(float)});
  w.finish();
}

// The same model with every tensor dequantized: the exact float reference of a quantized file.
void write_f32_gguf(const std::filesystem::path& from, const std::filesystem::path& to, const json& changes = json::object(),
                    const std::vector<F32Tensor>& extra = {}) {
  GgufSource in(from);
  std::vector<F32Tensor> tensors = dequantized(in);
  tensors.insert(tensors.end(), extra.begin(), extra.end());
  write_gguf(in, to, changes, tensors);
}

std::vector<int32_t> golden_ids(const std::filesystem::path& dir) {
  return json::parse(std::ifstream(dir / "golden.json"))["input_ids"].get<std::vector<int32_t>>();
}

std::vector<float> logits(const std::filesystem::path& model, std::span<const int32_t> ids, uint32_t context = 0) {
  ModelOptions o;
  o.context = context;
  return Model(runtime(), model, o).eval(ids, true);
}

}  // namespace

// No llama.cpp reference exists for phi3 (it refuses the vocabulary): the exact reference of a
// quantized file is then rbee's own float path on the same weights dequantized.
class PhiQuant : public TinyQuant {};

TEST_P(PhiQuant, LogitsMatchTheFloatPathOnTheDequantizedWeights) {
  auto dir = shared_fixtures() / "tiny-quant" / GetParam().family;
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << dir << " is absent (../shared/fixtures not beside the checkout)";
  TempDir tmp;
  auto quantized = dir / ("model-" + GetParam().type + ".gguf");
  write_f32_gguf(quantized, tmp / "model-f32.gguf");
  auto ids = golden_ids(dir);
  EXPECT_LT(max_abs_diff(logits(quantized, ids), logits(tmp / "model-f32.gguf", ids)), 2e-2f)
      << "max abs difference over " << ids.size() << " positions";
}

INSTANTIATE_TEST_SUITE_P(Phi, PhiQuant, testing::ValuesIn(quant_cases("phi3")), quant_case_name);

// Older phi2 conversions fuse Q, K and V (and their biases) into attn_qkv, [q; k; v] rows.
TEST(PhiFusedQkv, FusedProjectionEqualsSeparateOnes) {
  auto file = fixtures() / "tiny" / "phi" / "model-f32.gguf";
  GgufSource in(file);
  std::vector<F32Tensor> tensors = dequantized(in);
  auto take = [&](const std::string& name) {
    auto it = std::find_if(tensors.begin(), tensors.end(), [&](const F32Tensor& t) { return t.name == name; });
    EXPECT_NE(it, tensors.end()) << name;
    F32Tensor t = std::move(*it);
    tensors.erase(it);
    return t;
  };
  for (int l = 0; l < in.metadata()["phi2.block_count"].get<int>(); ++l) {
    for (const char* kind : {"weight", "bias"}) {
      auto part = [&](const char* proj) { return take("blk." + std::to_string(l) + ".attn_" + proj + "." + kind); };
      F32Tensor q = part("q"), k = part("k"), v = part("v");
      F32Tensor qkv{"blk." + std::to_string(l) + ".attn_qkv." + kind, q.shape, q.values};
      qkv.shape[0] = q.shape[0] + k.shape[0] + v.shape[0];
      qkv.values.insert(qkv.values.end(), k.values.begin(), k.values.end());
      qkv.values.insert(qkv.values.end(), v.values.begin(), v.values.end());
      tensors.push_back(std::move(qkv));
    }
  }
  TempDir tmp;
  write_gguf(in, tmp / "fused.gguf", json::object(), tensors);
  auto ids = golden_ids(fixtures() / "tiny" / "phi");
  EXPECT_LT(max_abs_diff(logits(tmp / "fused.gguf", ids), logits(file, ids)), 1e-4f);
}

// Variants of the tiny phi3 with a changed config.json. LongRoPE ones: original context 64,
// factors per rotated pair (8 here).
class PhiVariants : public testing::Test {
 protected:
  static constexpr uint32_t kOriginal = 64;
  static constexpr uint32_t kPairs = 8;  // head_dim 16, full rotary
  static constexpr uint32_t kShort = 32; // contexts below and above kOriginal
  static constexpr uint32_t kLong = 128;

  std::filesystem::path source() const { return fixtures() / "tiny" / "phi3"; }

  // A copy of the tiny phi3 folder whose config.json has the keys of `changes` (and its RoPE
  // settings spelled the older way, so that a rope_scaling there is the only one).
  std::filesystem::path variant(const std::string& name, const json& changes) {
    auto dir = tmp_ / name;
    std::filesystem::create_directories(dir);
    for (const auto& f : std::filesystem::directory_iterator(source()))
      if (f.path().filename() != "config.json") std::filesystem::copy(f.path(), dir / f.path().filename());
    json config = json::parse(std::ifstream(source() / "config.json"));
    config.erase("rope_parameters");
    config["rope_theta"] = 10000.0;
    config.update(changes);
    std::ofstream(dir / "config.json") << config.dump(2);
    return dir;
  }
  std::filesystem::path rope_variant(const std::string& name, const json& rope_scaling) {
    return variant(name, {{"rope_scaling", rope_scaling}});
  }

  static json longrope(float short_factor, float long_factor, std::optional<float> attention_factor) {
    json s = {{"type", "longrope"},
              {"short_factor", std::vector<float>(kPairs, short_factor)},
              {"long_factor", std::vector<float>(kPairs, long_factor)},
              {"original_max_position_embeddings", kOriginal}};
    if (attention_factor) s["attention_factor"] = *attention_factor;
    return s;
  }

  TempDir tmp_;
  std::vector<int32_t> ids_ = golden_ids(fixtures() / "tiny" / "phi3");
};

TEST_F(PhiVariants, LongRopeUnitFactorsAndAttentionFactorEqualThePlainModel) {
  auto dir = rope_variant("unit", longrope(1.0f, 1.0f, 1.0f));
  auto plain = logits(source(), ids_, kLong);
  EXPECT_LT(max_abs_diff(logits(dir, ids_, kLong), plain), 1e-4f);
  EXPECT_LT(max_abs_diff(logits(dir, ids_, kShort), plain), 1e-4f);
}

// Long factors of 2 divide every frequency by 2: linear scaling by 2, but only above the
// original context; below it the short factors (1) leave the model as it was.
TEST_F(PhiVariants, LongRopeLongFactorsApplyOnlyAboveTheOriginalContext) {
  auto dir = rope_variant("long2", longrope(1.0f, 2.0f, 1.0f));
  auto linear = rope_variant("linear2", {{"type", "linear"}, {"factor", 2.0}});
  auto plain = logits(source(), ids_, kLong);
  auto stretched = logits(dir, ids_, kLong);
  EXPECT_GT(max_abs_diff(stretched, plain), 0.05f) << "long factors changed nothing";
  EXPECT_LT(max_abs_diff(stretched, logits(linear, ids_, kLong)), 1e-4f);
  EXPECT_LT(max_abs_diff(logits(dir, ids_, kShort), plain), 1e-4f);
}

// Without attention_factor, max_position_embeddings 256 over an original 64 gives
// sqrt(1 + ln 4 / ln 64) = sqrt(4/3) on cos and sin, so q.k grows by 4/3 whatever the factors.
TEST_F(PhiVariants, LongRopeDefaultAttentionFactorScalesTheRotation) {
  auto computed = logits(rope_variant("computed", longrope(1.0f, 1.0f, std::nullopt)), ids_, kShort);
  auto given = logits(rope_variant("given", longrope(1.0f, 1.0f, std::sqrt(4.0f / 3.0f))), ids_, kShort);
  EXPECT_LT(max_abs_diff(computed, given), 1e-4f);
  EXPECT_GT(max_abs_diff(computed, logits(source(), ids_, kShort)), 0.05f) << "the attention factor changed nothing";
}

// GGUF carries the factors as tensors and the attention factor as a key (computed like
// config.json's when absent).
TEST_F(PhiVariants, LongRopeGgufFactorTensorsAndAttentionFactor) {
  auto gguf = [&](const std::string& name, json keys) {
    keys["phi3.rope.scaling.original_context_length"] = kOriginal;
    write_f32_gguf(source() / "model-f32.gguf", tmp_ / name, keys,
                   {{"rope_factors_long.weight", {kPairs}, std::vector<float>(kPairs, 2.0f)},
                    {"rope_factors_short.weight", {kPairs}, std::vector<float>(kPairs, 1.0f)}});
    return tmp_ / name;
  };
  auto given = gguf("given.gguf", {{"phi3.rope.scaling.attn_factor", 1.0f}});
  auto linear = rope_variant("linear2", {{"type", "linear"}, {"factor", 2.0}});
  EXPECT_LT(max_abs_diff(logits(given, ids_, kLong), logits(linear, ids_, kLong)), 1e-3f);
  EXPECT_LT(max_abs_diff(logits(given, ids_, kShort), logits(source(), ids_, kShort)), 1e-3f);
  auto computed = gguf("computed.gguf", json::object());
  auto config = rope_variant("computed", longrope(1.0f, 2.0f, std::nullopt));
  EXPECT_LT(max_abs_diff(logits(computed, ids_, kShort), logits(config, ids_, kShort)), 1e-3f);
  EXPECT_GT(max_abs_diff(logits(computed, ids_, kShort), logits(source(), ids_, kShort)), 0.05f)
      << "the attention factor changed nothing";
}

// Phi-3-mini's sliding window (2047) makes every layer a windowed one, in both formats.
TEST_F(PhiVariants, SlidingWindowHidesOlderPositions) {
  constexpr uint32_t kWindow = 8;
  constexpr size_t kVocab = 512;
  auto windowed = logits(variant("window", {{"sliding_window", kWindow}}), ids_);
  auto plain = logits(source(), ids_);
  ASSERT_EQ(windowed.size(), plain.size());
  auto split = windowed.begin() + kWindow * kVocab;  // positions that still see every earlier one
  EXPECT_LT(max_abs_diff({windowed.begin(), split}, {plain.begin(), plain.begin() + kWindow * kVocab}), 1e-4f);
  EXPECT_GT(max_abs_diff({split, windowed.end()}, {plain.begin() + kWindow * kVocab, plain.end()}), 0.05f)
      << "the window hid nothing";
  auto gguf = tmp_ / "window.gguf";
  write_f32_gguf(source() / "model-f32.gguf", gguf, {{"phi3.attention.sliding_window", kWindow}});
  EXPECT_LT(max_abs_diff(logits(gguf, ids_), windowed), 1e-3f);
}

}  // namespace rbee::test
