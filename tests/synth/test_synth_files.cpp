// Whole files: a 2-layer smollm2-135m-shaped model (real hidden size and vocabulary) in q8_0,
// q4_k_m and f16, read back with rbee's ModelSource and run through rbee's engine.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <tuple>

#include "engine/model.hpp"
#include "engine/runtime.hpp"
#include "engine/weight_traffic.hpp"
#include "formats/model_source.hpp"
#include "gguf_kv_types.hpp"
#include "synth/synth.hpp"
#include "synth/vocab.hpp"
#include "temp_dir.hpp"

namespace rbee::synth {
namespace {

constexpr uint32_t kU32 = 4, kI32 = 5, kF32 = 6, kBool = 7, kString = 8, kArray = 9;

// One folder for the suite: each file is written once.
class SynthFiles : public testing::Test {
 protected:
  static void SetUpTestSuite() { dir_ = new test::TempDir; }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static std::filesystem::path file(const std::string& type) {
    const auto path = dir_->path() / ("smollm2-2l-" + type + ".gguf");
    if (!std::filesystem::exists(path)) {
      SynthOptions o;
      o.preset = "smollm2-135m";
      o.type = *parse_file_type(type);
      o.output = path;
      o.plan.layers = 2;
      write_model(o);
    }
    return path;
  }
  // A preset's structure in small dimensions (2 blocks, hidden 256, vocabulary 512), written once
  // per type: qwen3-30b-a3b keeps a head size that is not hidden / heads and gets 16 experts
  // choosing 4 (not 8, which would take llama.cpp's Mixtral rules); mixtral-8x7b keeps 8 choosing 2.
  static Preset shrunk(const std::string& name) {
    Preset p = *find_preset(name);
    p.n_embd = 256;
    p.n_layer = 2;
    p.n_head = 4;
    p.n_head_kv = 2;
    p.n_vocab = 512;
    p.n_ff = 512;
    if (p.architecture == "qwen3moe") {
      p.head_dim = 128;
      p.n_expert = 16;
      p.n_expert_used = 4;
      p.n_ff_expert = 512;
    }
    if (p.architecture == "deepseek2") {  // a dense block then a MoE block, as the tiny fixture
      p.n_head_kv = 1;
      p.n_expert = 16;
      p.n_expert_used = 4;
      p.n_ff_expert = 256;
      p.mla = {.kv_lora_rank = 64, .qk_nope = 32, .qk_rope = 16, .v_head = 32};
    }
    return p;
  }
  static std::filesystem::path small_file(const std::string& preset, const std::string& type) {
    const auto path = dir_->path() / ("small-" + preset + "-" + type + ".gguf");
    if (!std::filesystem::exists(path)) {
      SynthOptions o;
      o.output = path;
      write_plan(plan_model(shrunk(preset), *parse_file_type(type)), o);
    }
    return path;
  }
  static bool loadable(const std::string& architecture) {
    return runtime().plugins().find(architecture) != nullptr;
  }
  static Runtime& runtime() {
    static Runtime rt([] {
      RuntimeOptions o;
      o.plugin_dirs = {std::filesystem::path(RBEE_BINARY_DIR) / "plugins"};
      return o;
    }());
    return rt;
  }
  static inline test::TempDir* dir_ = nullptr;
};

TEST_F(SynthFiles, EveryKeyLlamaCppRequiresHasItsType) {
  const auto path = file("q8_0");
  const auto kv = test::gguf_kv_types(path);
  const std::map<std::string, uint32_t> want = {
      {"general.architecture", kString}, {"general.name", kString},
      {"general.file_type", kU32}, {"general.quantization_version", kU32},
      {"llama.context_length", kU32}, {"llama.embedding_length", kU32},
      {"llama.block_count", kU32}, {"llama.feed_forward_length", kU32},
      {"llama.attention.head_count", kU32}, {"llama.attention.head_count_kv", kU32},
      {"llama.attention.key_length", kU32}, {"llama.attention.value_length", kU32},
      {"llama.rope.freq_base", kF32}, {"llama.attention.layer_norm_rms_epsilon", kF32},
      {"llama.rope.dimension_count", kU32}, {"llama.vocab_size", kU32},
      {"tokenizer.ggml.model", kString}, {"tokenizer.ggml.tokens", kArray},
      {"tokenizer.ggml.scores", kArray}, {"tokenizer.ggml.token_type", kArray},
      {"tokenizer.ggml.bos_token_id", kU32}, {"tokenizer.ggml.eos_token_id", kU32},
      {"tokenizer.ggml.unknown_token_id", kU32}, {"tokenizer.ggml.add_bos_token", kBool},
  };
  for (const auto& [key, type] : want) {
    ASSERT_TRUE(kv.count(key)) << key;
    EXPECT_EQ(kv.at(key).type, type) << key;
  }
  EXPECT_EQ(kv.at("tokenizer.ggml.tokens").elem, kString);
  EXPECT_EQ(kv.at("tokenizer.ggml.scores").elem, kF32);
  EXPECT_EQ(kv.at("tokenizer.ggml.token_type").elem, kI32);

  auto src = ModelSource::open(path);
  EXPECT_EQ(*src->meta("general.architecture"), "llama");
  EXPECT_EQ(*src->meta("general.file_type"), 7);
  EXPECT_EQ(*src->meta("general.quantization_version"), 2);
  EXPECT_EQ(*src->meta("llama.block_count"), 2);
  EXPECT_EQ(*src->meta("llama.embedding_length"), 576);
  EXPECT_EQ(*src->meta("llama.feed_forward_length"), 1536);
  EXPECT_EQ(*src->meta("llama.attention.head_count"), 9);
  EXPECT_EQ(*src->meta("llama.attention.head_count_kv"), 3);
  EXPECT_EQ(*src->meta("llama.rope.dimension_count"), 64);
  EXPECT_EQ(*src->meta("llama.context_length"), 8192);
  EXPECT_EQ(*src->meta("llama.vocab_size"), 49152);
  EXPECT_EQ(src->meta("llama.rope.freq_base")->get<float>(), 100000.0f);
  EXPECT_EQ(*src->meta("tokenizer.ggml.model"), "llama");
  EXPECT_EQ(*src->meta("tokenizer.ggml.add_bos_token"), true);
}

TEST_F(SynthFiles, VocabularyIsSentencePieceStyle) {
  auto src = ModelSource::open(file("q8_0"));
  const auto tokens = src->meta("tokenizer.ggml.tokens")->get<std::vector<std::string>>();
  const auto types = src->meta("tokenizer.ggml.token_type")->get<std::vector<int32_t>>();
  const auto scores = src->meta("tokenizer.ggml.scores")->get<std::vector<float>>();
  ASSERT_EQ(tokens.size(), 49152u);
  ASSERT_EQ(types.size(), tokens.size());
  ASSERT_EQ(scores.size(), tokens.size());
  EXPECT_EQ(tokens[0], "<unk>");
  EXPECT_EQ(types[0], kTokenUnknown);
  EXPECT_EQ(tokens[1], "<s>");
  EXPECT_EQ(types[1], kTokenControl);
  EXPECT_EQ(tokens[2], "</s>");
  EXPECT_EQ(types[2], kTokenControl);
  EXPECT_EQ(tokens[3], "<0x00>");
  EXPECT_EQ(tokens[3 + 0x0A], "<0x0A>");
  EXPECT_EQ(tokens[258], "<0xFF>");
  for (int i = 3; i < 259; ++i) EXPECT_EQ(types[i], kTokenByte);
  EXPECT_EQ(tokens[259], "\xE2\x96\x81");
  EXPECT_EQ(tokens[260], "\xE2\x96\x81" "a");
  EXPECT_EQ(tokens[261], "a");
  std::set<std::string> distinct(tokens.begin(), tokens.end());
  EXPECT_EQ(distinct.size(), tokens.size());
  for (size_t i = 260; i < scores.size(); ++i) ASSERT_LT(scores[i], scores[i - 1]) << i;
}

TEST_F(SynthFiles, TensorNamesShapesAndTypeMix) {
  auto q4 = ModelSource::open(file("q4_k_m"));
  EXPECT_EQ(*q4->meta("general.file_type"), 15);
  const std::map<std::string, std::pair<std::vector<uint64_t>, DType>> want = {
      {"token_embd.weight", {{49152, 576}, DType::Q8_0}},  // tied: output's Q6_K, 576 falls back
      {"output_norm.weight", {{576}, DType::F32}},
      {"blk.0.attn_norm.weight", {{576}, DType::F32}},
      {"blk.0.attn_q.weight", {{576, 576}, DType::Q5_0}},  // Q4_K, 576 falls back
      {"blk.0.attn_k.weight", {{192, 576}, DType::Q5_0}},
      {"blk.0.attn_v.weight", {{192, 576}, DType::Q5_0}},  // layer 0 of 2: no extra bits
      {"blk.1.attn_v.weight", {{192, 576}, DType::Q8_0}},  // last eighth: Q6_K, falls back
      {"blk.0.attn_output.weight", {{576, 576}, DType::Q5_0}},
      {"blk.0.ffn_norm.weight", {{576}, DType::F32}},
      {"blk.0.ffn_gate.weight", {{1536, 576}, DType::Q5_0}},
      {"blk.0.ffn_up.weight", {{1536, 576}, DType::Q5_0}},
      {"blk.0.ffn_down.weight", {{576, 1536}, DType::Q4_K}},
      {"blk.1.ffn_down.weight", {{576, 1536}, DType::Q6_K}},
  };
  EXPECT_EQ(q4->tensors().size(), 1 + 2 * 9 + 1u);
  EXPECT_FALSE(q4->tensor("output.weight"));
  for (const auto& [name, w] : want) {
    const TensorView* t = q4->tensor(name);
    ASSERT_TRUE(t) << name;
    EXPECT_EQ(t->shape, w.first) << name;
    EXPECT_EQ(t->dtype, w.second) << name << " is " << dtype_name(t->dtype);
  }

  auto q8 = ModelSource::open(file("q8_0"));
  for (const auto& t : q8->tensors()) EXPECT_EQ(t.dtype, t.shape.size() == 1 ? DType::F32 : DType::Q8_0) << t.name;
  auto f16 = ModelSource::open(file("f16"));
  EXPECT_EQ(*f16->meta("general.file_type"), 1);
  for (const auto& t : f16->tensors()) EXPECT_EQ(t.dtype, t.shape.size() == 1 ? DType::F32 : DType::F16) << t.name;
}

TEST_F(SynthFiles, SameSeedSameBytes) {
  const auto a = dir_->path() / "a.gguf", b = dir_->path() / "b.gguf", c = dir_->path() / "c.gguf";
  SynthOptions o;
  o.preset = "llama-3.2-1b";
  o.type = FileType::Q4_0;
  o.plan = {.layers = 1, .vocab = 512};
  o.output = a;
  o.threads = 1;
  write_model(o);
  o.output = b;
  o.threads = 3;
  write_model(o);
  o.output = c;
  o.seed = 2;
  write_model(o);
  auto bytes = [](const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::vector<char>(std::istreambuf_iterator<char>(in), {});
  };
  EXPECT_EQ(bytes(a), bytes(b));
  EXPECT_NE(bytes(a), bytes(c));
  EXPECT_FALSE(std::filesystem::exists(dir_->path() / "a.gguf.tmp"));
  auto src = ModelSource::open(a);
  const TensorView* freqs = src->tensor("rope_freqs.weight");
  ASSERT_TRUE(freqs);
  EXPECT_EQ(freqs->shape, (std::vector<uint64_t>{32}));
  EXPECT_EQ(reinterpret_cast<const float*>(freqs->data)[31], 32.0f);
}

TEST_F(SynthFiles, F16RunsWithFiniteLogits) {
  Model model(runtime(), file("f16"), {});
  EXPECT_EQ(model.n_vocab(), 49152u);
  EXPECT_EQ(model.architecture(), "llama");
  const std::vector<int32_t> ids = model.tokenizer().encode("hello world", true, false);
  ASSERT_FALSE(ids.empty());
  const std::vector<float> logits = model.eval(ids, true);
  ASSERT_EQ(logits.size(), ids.size() * 49152u);
  float spread = 0;
  for (float v : logits) {
    ASSERT_TRUE(std::isfinite(v));
    spread = std::max(spread, std::abs(v - logits[0]));
  }
  EXPECT_GT(spread, 0.0f);
}

// The quantized mixes run through the engine's quantized kernels and stay near the f16 file
// (the same seed gives the same weights before encoding).
TEST_F(SynthFiles, QuantizedMixesRunNearF16) {
  const std::vector<int32_t> ids = {1, 300, 301, 5000, 49151};
  auto run = [&](const std::string& type) {
    Model model(runtime(), file(type), {});
    return model.eval(ids, true);
  };
  const std::vector<float> ref = run("f16");
  double ref_sq = 0;
  for (float v : ref) ref_sq += double(v) * v;
  for (const auto& [type, bound] : {std::pair{"q8_0", 0.05}, std::pair{"q4_k_m", 0.3}}) {
    const std::vector<float> got = run(type);
    ASSERT_EQ(got.size(), ref.size());
    double err_sq = 0;
    for (size_t i = 0; i < got.size(); ++i) {
      ASSERT_TRUE(std::isfinite(got[i])) << type;
      err_sq += (double(got[i]) - ref[i]) * (double(got[i]) - ref[i]);
    }
    const double rel = std::sqrt(err_sq / ref_sq);
    EXPECT_LT(rel, bound) << type << ": relative RMS difference from f16";
    std::printf("%s: relative RMS difference from f16 %.4f\n", type, rel);
  }
}

// The keys llama.cpp's loader reads for qwen3moe (llm_load_hparams: the common keys, then
// expert_count/expert_used_count, expert_feed_forward_length and the RMS epsilon) and for
// Mixtral as "llama" with expert_count/expert_used_count.
TEST_F(SynthFiles, MoeKeysLlamaCppRequires) {
  for (const std::string preset : {"qwen3-30b-a3b", "mixtral-8x7b"}) {
    const auto path = small_file(preset, "q8_0");
    const std::string a = preset == "mixtral-8x7b" ? "llama." : "qwen3moe.";
    const auto kv = test::gguf_kv_types(path);
    std::map<std::string, uint32_t> want = {
        {"general.architecture", kString}, {"general.name", kString}, {"general.file_type", kU32},
        {"general.quantization_version", kU32}, {a + "context_length", kU32}, {a + "embedding_length", kU32},
        {a + "block_count", kU32}, {a + "feed_forward_length", kU32}, {a + "attention.head_count", kU32},
        {a + "attention.head_count_kv", kU32}, {a + "attention.key_length", kU32}, {a + "attention.value_length", kU32},
        {a + "rope.freq_base", kF32}, {a + "attention.layer_norm_rms_epsilon", kF32}, {a + "vocab_size", kU32},
        {a + "expert_count", kU32}, {a + "expert_used_count", kU32}, {"tokenizer.ggml.model", kString},
        {"tokenizer.ggml.tokens", kArray}, {"tokenizer.ggml.scores", kArray}, {"tokenizer.ggml.token_type", kArray},
        {"tokenizer.ggml.bos_token_id", kU32}, {"tokenizer.ggml.eos_token_id", kU32},
    };
    if (a == "qwen3moe.") want[a + "expert_feed_forward_length"] = kU32;
    for (const auto& [key, type] : want) {
      ASSERT_TRUE(kv.count(key)) << preset << ": " << key;
      EXPECT_EQ(kv.at(key).type, type) << preset << ": " << key;
    }
    auto src = ModelSource::open(path);
    EXPECT_EQ(*src->meta(a + "block_count"), 2);
    EXPECT_EQ(*src->meta(a + "embedding_length"), 256);
    EXPECT_EQ(*src->meta(a + "vocab_size"), 512);
    EXPECT_EQ(src->meta(a + "rope.freq_base")->get<float>(), 1e6f);
    if (a == "qwen3moe.") {
      EXPECT_EQ(*src->meta("general.architecture"), "qwen3moe");
      EXPECT_EQ(*src->meta(a + "expert_count"), 16);
      EXPECT_EQ(*src->meta(a + "expert_used_count"), 4);
      EXPECT_EQ(*src->meta(a + "expert_feed_forward_length"), 512);
      EXPECT_EQ(*src->meta(a + "attention.key_length"), 128);
      EXPECT_EQ(*src->meta(a + "context_length"), 40960);
      EXPECT_EQ(src->meta(a + "attention.layer_norm_rms_epsilon")->get<float>(), 1e-6f);
    } else {
      EXPECT_EQ(*src->meta("general.architecture"), "llama");
      EXPECT_EQ(*src->meta(a + "expert_count"), 8);
      EXPECT_EQ(*src->meta(a + "expert_used_count"), 2);
      EXPECT_FALSE(kv.count(a + "expert_feed_forward_length"));
      EXPECT_EQ(*src->meta(a + "attention.key_length"), 64);
      EXPECT_EQ(*src->meta(a + "context_length"), 32768);
    }
  }
  // The full presets' hyperparameters, as their config.json state them.
  const Preset& q = *find_preset("qwen3-30b-a3b");
  EXPECT_EQ(q.n_embd, 2048u);
  EXPECT_EQ(q.n_layer, 48u);
  EXPECT_EQ(q.head_size(), 128u);
  EXPECT_EQ(q.n_expert, 128u);
  EXPECT_EQ(q.n_expert_used, 8u);
  EXPECT_EQ(q.expert_ff(), 768u);
  EXPECT_EQ(q.n_vocab, 151936u);
  EXPECT_FALSE(q.tied_embeddings);
  const Preset& m = *find_preset("mixtral-8x7b");
  EXPECT_EQ(m.n_expert, 8u);
  EXPECT_EQ(m.n_expert_used, 2u);
  EXPECT_EQ(m.expert_ff(), 14336u);
  EXPECT_EQ(m.n_vocab, 32000u);
}

// Read back (row-major shapes: GGUF's ne reversed), with the q4_k_m mix.
TEST_F(SynthFiles, MoeTensorsReadBack) {
  auto q = ModelSource::open(small_file("qwen3-30b-a3b", "q4_k_m"));
  using V = std::vector<uint64_t>;
  const std::map<std::string, std::pair<V, DType>> want = {
      {"token_embd.weight", {{512, 256}, DType::Q4_K}},
      {"output.weight", {{512, 256}, DType::Q6_K}},
      {"blk.0.attn_q.weight", {{512, 256}, DType::Q4_K}},
      {"blk.0.attn_k.weight", {{256, 256}, DType::Q4_K}},
      {"blk.0.attn_output.weight", {{256, 512}, DType::Q4_K}},
      {"blk.0.attn_q_norm.weight", {{128}, DType::F32}},
      {"blk.0.attn_k_norm.weight", {{128}, DType::F32}},
      {"blk.0.ffn_gate_inp.weight", {{16, 256}, DType::F32}},
      {"blk.0.ffn_gate_exps.weight", {{16, 512, 256}, DType::Q4_K}},
      {"blk.0.ffn_up_exps.weight", {{16, 512, 256}, DType::Q4_K}},
      {"blk.0.ffn_down_exps.weight", {{16, 256, 512}, DType::Q4_K}},
      {"blk.1.ffn_down_exps.weight", {{16, 256, 512}, DType::Q6_K}},  // last eighth of 2
  };
  EXPECT_EQ(q->tensors().size(), 1 + 2 * 12 + 2u);
  for (const auto& [name, w] : want) {
    const TensorView* t = q->tensor(name);
    ASSERT_TRUE(t) << name;
    EXPECT_EQ(t->shape, w.first) << name;
    EXPECT_EQ(t->dtype, w.second) << name << " is " << dtype_name(t->dtype);
  }
  auto m = ModelSource::open(small_file("mixtral-8x7b", "q4_k_m"));
  EXPECT_EQ(m->tensors().size(), 1 + 2 * 10 + 2u);  // no rope_freqs: Mixtral has no llama3 scaling
  const TensorView* down = m->tensor("blk.0.ffn_down_exps.weight");
  ASSERT_TRUE(down);
  EXPECT_EQ(down->shape, (V{8, 256, 512}));
  EXPECT_EQ(m->tensor("blk.0.ffn_gate_inp.weight")->shape, (V{8, 256}));
  EXPECT_EQ(m->tensor("blk.0.ffn_gate_inp.weight")->dtype, DType::F32);
  EXPECT_EQ(m->tensor("blk.0.attn_v.weight")->dtype, DType::Q8_0);
  EXPECT_FALSE(m->tensor("blk.0.ffn_gate.weight"));
}

TEST_F(SynthFiles, MoeFilesRunWithFiniteLogits) {
  for (const std::string preset : {"mixtral-8x7b", "qwen3-30b-a3b"}) {
    const auto path = small_file(preset, "q8_0");
    const std::string arch = *ModelSource::open(path)->meta("general.architecture");
    if (!loadable(arch)) {
      std::printf("%s: no plugin handles %s yet; not run\n", preset.c_str(), arch.c_str());
      continue;
    }
    Model model(runtime(), path, {});
    const std::vector<int32_t> ids = {1, 300, 301, 511};
    const std::vector<float> logits = model.eval(ids, true);
    ASSERT_EQ(logits.size(), ids.size() * 512u) << preset;
    for (float v : logits) ASSERT_TRUE(std::isfinite(v)) << preset;
  }
}

uint64_t sum_bytes(const ModelSource& src, const std::string& containing = "") {
  uint64_t n = 0;
  for (const auto& t : src.tensors())
    if (t.name.find(containing) != std::string::npos) n += t.nbytes;
  return n;
}

// The weights one generated token reads: the whole file but the embedding table (one row of it)
// where the output is a separate tensor, and n_used / n_expert of the experts.
TEST_F(SynthFiles, ActiveWeightBytesPerToken) {
  {  // tied: the output reads the whole table
    Model model(runtime(), file("f16"), {});
    EXPECT_EQ(weight_bytes_per_token(model), sum_bytes(model.source()));
  }
  {  // untied dense
    const auto path = dir_->path() / "small-llama-3.1-8b-q8_0.gguf";
    SynthOptions o;
    o.output = path;
    write_plan(plan_model(shrunk("llama-3.1-8b"), FileType::Q8_0), o);
    Model model(runtime(), path, {});
    const uint64_t all = sum_bytes(model.source()), table = model.source().tensor("token_embd.weight")->nbytes;
    EXPECT_EQ(weight_bytes_per_token(model), all - table + table / 512);
  }
  for (const auto& [preset, used, experts] : {std::tuple{"mixtral-8x7b", 2, 8}, std::tuple{"qwen3-30b-a3b", 4, 16}}) {
    const auto path = small_file(preset, "q8_0");
    if (!loadable(*ModelSource::open(path)->meta("general.architecture"))) {
      std::printf("%s: no plugin handles its architecture yet; not run\n", preset);
      continue;
    }
    Model model(runtime(), path, {});
    const uint64_t all = sum_bytes(model.source()), table = model.source().tensor("token_embd.weight")->nbytes;
    const uint64_t exps = sum_bytes(model.source(), "_exps.");
    ASSERT_GT(exps, 0u);
    const uint64_t want = all - table + table / 512 - exps + exps / experts * used;
    EXPECT_EQ(weight_bytes_per_token(model), want) << preset;
    EXPECT_LT(weight_bytes_per_token(model), all - exps / 2) << preset;
    std::printf("%s (small): %llu of %llu weight bytes per token\n", preset,
                static_cast<unsigned long long>(weight_bytes_per_token(model)), static_cast<unsigned long long>(all));
  }
}

}  // namespace
}  // namespace rbee::synth

namespace rbee::synth {
namespace {

using V = std::vector<uint64_t>;

// DeepSeek-V2's tiny test model as llama.cpp's convert_hf_to_gguf writes it.
const std::filesystem::path kFixture = std::filesystem::path(RBEE_TEST_FIXTURES) / "tiny/deepseek_v2/model-f32.gguf";

// Every deepseek2 key llama.cpp's loader reads for DeepSeek-V2-Lite (llm_load_hparams, and the
// deepseek2 case: n_layer 27 takes it as "lite", so no q_lora_rank), with its GGUF type, and the
// keys and value types of the tiny fixture convert_hf_to_gguf wrote from a DeepseekV2 config.
TEST_F(SynthFiles, DeepSeekV2LiteKeysLlamaCppRequires) {
  const auto path = small_file("deepseek-v2-lite", "q8_0");
  const auto kv = test::gguf_kv_types(path);
  const std::string a = "deepseek2.";
  const std::map<std::string, uint32_t> want = {
      {"general.architecture", kString}, {"general.name", kString}, {"general.file_type", kU32},
      {a + "context_length", kU32}, {a + "embedding_length", kU32}, {a + "block_count", kU32},
      {a + "feed_forward_length", kU32}, {a + "attention.head_count", kU32}, {a + "attention.head_count_kv", kU32},
      {a + "attention.key_length", kU32}, {a + "attention.value_length", kU32}, {a + "rope.freq_base", kF32},
      {a + "attention.layer_norm_rms_epsilon", kF32}, {a + "vocab_size", kU32}, {a + "rope.dimension_count", kU32},
      {a + "leading_dense_block_count", kU32}, {a + "attention.kv_lora_rank", kU32},
      {a + "attention.key_length_mla", kU32}, {a + "attention.value_length_mla", kU32},
      {a + "expert_feed_forward_length", kU32}, {a + "expert_shared_count", kU32}, {a + "expert_count", kU32},
      {a + "expert_used_count", kU32}, {a + "expert_weights_scale", kF32}, {a + "expert_gating_func", kU32},
      {a + "expert_group_count", kU32}, {a + "expert_group_used_count", kU32},
      {a + "rope.scaling.type", kString}, {a + "rope.scaling.factor", kF32},
      {a + "rope.scaling.original_context_length", kU32}, {a + "rope.scaling.yarn_beta_fast", kF32},
      {a + "rope.scaling.yarn_beta_slow", kF32}, {a + "rope.scaling.yarn_log_multiplier", kF32},
      {"tokenizer.ggml.model", kString}, {"tokenizer.ggml.tokens", kArray},
  };
  for (const auto& [key, type] : want) {
    ASSERT_TRUE(kv.count(key)) << key;
    EXPECT_EQ(kv.at(key).type, type) << key;
  }
  EXPECT_FALSE(kv.count(a + "attention.q_lora_rank"));
  const auto fixture = test::gguf_kv_types(kFixture);
  for (const auto& [key, t] : fixture) {
    if (!key.starts_with(a)) continue;
    ASSERT_TRUE(kv.count(key)) << key << " is in the converted fixture";
    EXPECT_EQ(kv.at(key).type, t.type) << key;
  }

  auto src = ModelSource::open(path);
  EXPECT_EQ(*src->meta("general.architecture"), "deepseek2");
  EXPECT_EQ(*src->meta(a + "block_count"), 2);
  EXPECT_EQ(*src->meta(a + "attention.head_count"), 4);
  EXPECT_EQ(*src->meta(a + "attention.head_count_kv"), 1);
  EXPECT_EQ(*src->meta(a + "attention.key_length"), 64 + 16);
  EXPECT_EQ(*src->meta(a + "attention.value_length"), 64);
  EXPECT_EQ(*src->meta(a + "attention.key_length_mla"), 32 + 16);
  EXPECT_EQ(*src->meta(a + "attention.value_length_mla"), 32);
  EXPECT_EQ(*src->meta(a + "rope.dimension_count"), 16);
  EXPECT_EQ(*src->meta(a + "leading_dense_block_count"), 1);
  EXPECT_EQ(*src->meta(a + "expert_shared_count"), 2);
  EXPECT_EQ(*src->meta(a + "expert_gating_func"), 1);
  EXPECT_EQ(*src->meta(a + "context_length"), 163840);
  EXPECT_EQ(*src->meta(a + "rope.scaling.type"), "yarn");
  EXPECT_EQ(src->meta(a + "rope.scaling.factor")->get<float>(), 40.0f);
  EXPECT_EQ(*src->meta(a + "rope.scaling.original_context_length"), 4096);
  EXPECT_EQ(src->meta(a + "rope.scaling.yarn_log_multiplier")->get<float>(), 0.0707f);
  EXPECT_EQ(src->meta(a + "expert_weights_scale")->get<float>(), 1.0f);
  EXPECT_EQ(src->meta(a + "attention.layer_norm_rms_epsilon")->get<float>(), 1e-6f);

  // The full preset: DeepSeek-V2-Lite's config.json.
  const Preset& d = *find_preset("deepseek-v2-lite");
  EXPECT_EQ(d.n_embd, 2048u);
  EXPECT_EQ(d.n_layer, 27u);  // llama.cpp's test for a "lite" deepseek2 without Q LoRA
  EXPECT_EQ(d.n_head, 16u);
  EXPECT_EQ(d.n_vocab, 102400u);
  EXPECT_EQ(d.n_ff, 10944u);
  EXPECT_EQ(d.expert_ff(), 1408u);
  EXPECT_EQ(d.n_expert, 64u);
  EXPECT_EQ(d.n_expert_used, 6u);
  EXPECT_EQ(d.n_expert_shared, 2u);
  EXPECT_EQ(d.mla.kv_lora_rank, 512u);
  EXPECT_EQ(d.mla.qk_nope, 128u);
  EXPECT_EQ(d.mla.qk_rope, 64u);
  EXPECT_EQ(d.mla.v_head, 128u);
}

// The tensors read back (row-major: GGUF's ne reversed), named and shaped as in the converted
// fixture (the same names per block, the same ranks), with the q4_k_m mix.
TEST_F(SynthFiles, DeepSeekV2LiteTensorsReadBack) {
  auto q = ModelSource::open(small_file("deepseek-v2-lite", "q4_k_m"));
  const std::map<std::string, std::pair<V, DType>> want = {
      {"token_embd.weight", {{512, 256}, DType::Q4_K}},
      {"output.weight", {{512, 256}, DType::Q6_K}},
      {"blk.0.attn_q.weight", {{4 * 48, 256}, DType::Q4_K}},
      {"blk.0.attn_kv_a_mqa.weight", {{64 + 16, 256}, DType::Q4_K}},
      {"blk.0.attn_kv_a_norm.weight", {{64}, DType::F32}},
      {"blk.0.attn_k_b.weight", {{4, 64, 32}, DType::Q5_0}},  // rows of 32: Q4_K falls back
      {"blk.0.attn_v_b.weight", {{4, 32, 64}, DType::Q5_0}},  // rows of 64
      {"blk.0.attn_output.weight", {{256, 4 * 32}, DType::Q5_0}},
      {"blk.0.ffn_down.weight", {{256, 512}, DType::Q4_K}},
      {"blk.1.ffn_gate_inp.weight", {{16, 256}, DType::F32}},
      {"blk.1.ffn_gate_exps.weight", {{16, 256, 256}, DType::Q4_K}},
      {"blk.1.ffn_down_exps.weight", {{16, 256, 256}, DType::Q6_K}},  // last eighth of 2
      {"blk.1.ffn_gate_shexp.weight", {{512, 256}, DType::Q4_K}},
      {"blk.1.ffn_down_shexp.weight", {{256, 512}, DType::Q6_K}},
  };
  for (const auto& [name, w] : want) {
    const TensorView* t = q->tensor(name);
    ASSERT_TRUE(t) << name;
    EXPECT_EQ(t->shape, w.first) << name;
    EXPECT_EQ(t->dtype, w.second) << name << " is " << dtype_name(t->dtype);
  }
  auto fixture = ModelSource::open(kFixture);
  std::map<std::string, size_t> ours, theirs;
  for (const auto& t : q->tensors()) ours[t.name] = t.shape.size();
  for (const auto& t : fixture->tensors()) theirs[t.name] = t.shape.size();
  EXPECT_EQ(ours, theirs);
}

// The DeepSeek plugin loads the file and runs it; the cache holds the latent and the rotary key
// (f16) per position and layer, a plain per-head cache would hold every head's key and value.
TEST_F(SynthFiles, DeepSeekV2LiteRunsWithLatentKvCache) {
  for (const std::string type : {"q8_0", "q4_k_m"}) {
    const auto path = small_file("deepseek-v2-lite", type);
    if (!loadable("deepseek2")) GTEST_SKIP() << "no plugin handles deepseek2";
    Model model(runtime(), path, {});
    EXPECT_EQ(model.architecture(), "deepseek2");
    const std::vector<int32_t> ids = {1, 300, 301, 511};
    const std::vector<float> logits = model.eval(ids, true);
    ASSERT_EQ(logits.size(), ids.size() * 512u) << type;
    float spread = 0;
    for (float v : logits) {
      ASSERT_TRUE(std::isfinite(v)) << type;
      spread = std::max(spread, std::abs(v - logits[0]));
    }
    EXPECT_GT(spread, 0.0f) << type;
    EXPECT_EQ(model.kv_cache().type(), KvType::F16);
    EXPECT_EQ(model.kv_cache_bytes_per_token(), (64u + 16u) * 2u * 2u) << type;
    std::string plain;
    for (const auto& [key, value] : model.hyperparameters())
      if (key == "kv_cache_bytes_per_token_mha") plain = value;
    EXPECT_EQ(plain, std::to_string(4u * (32u + 16u + 32u) * 2u * 2u)) << type;
  }
}

}  // namespace
}  // namespace rbee::synth
