// The GGUF conversions hold the same values as the safetensors checkpoints they came from.
#include <gtest/gtest.h>

#include <map>
#include <regex>

#include "fixtures_path.hpp"
#include "formats/gguf.hpp"
#include "formats/safetensors.hpp"
#include "formats/test_util.hpp"

namespace rbee {
namespace {

// The Hugging Face name of a llama GGUF tensor, or "" for one without a counterpart here.
std::string hf_name(const std::string& gguf) {
  static const std::map<std::string, std::string> global{
      {"token_embd.weight", "model.embed_tokens.weight"},
      {"output_norm.weight", "model.norm.weight"},
      {"output.weight", "lm_head.weight"},
  };
  static const std::map<std::string, std::string> layer{
      {"attn_norm", "input_layernorm"},    {"ffn_norm", "post_attention_layernorm"},
      {"attn_q", "self_attn.q_proj"},      {"attn_k", "self_attn.k_proj"},
      {"attn_v", "self_attn.v_proj"},      {"attn_output", "self_attn.o_proj"},
      {"ffn_gate", "mlp.gate_proj"},       {"ffn_up", "mlp.up_proj"},
      {"ffn_down", "mlp.down_proj"},
  };
  if (auto it = global.find(gguf); it != global.end()) return it->second;
  static const std::regex block(R"(blk\.(\d+)\.(\w+)\.weight)");
  std::smatch m;
  if (!std::regex_match(gguf, m, block)) return "";
  const auto it = layer.find(m[2]);
  return it == layer.end() ? "" : "model.layers." + m[1].str() + "." + it->second + ".weight";
}

// llama.cpp stores Q and K rows permuted per head (rotary pairs interleaved); this undoes it.
std::vector<float> unpermute_rows(const std::vector<float>& w, uint64_t rows, uint64_t cols,
                                  uint64_t n_heads) {
  const uint64_t head_dim = rows / n_heads, half = head_dim / 2;
  std::vector<float> out(w.size());
  for (uint64_t h = 0; h < n_heads; ++h) {
    for (uint64_t i = 0; i < half; ++i) {
      for (uint64_t j = 0; j < 2; ++j) {
        const uint64_t from = h * head_dim + i * 2 + j, to = h * head_dim + j * half + i;
        std::copy_n(&w[from * cols], cols, &out[to * cols]);
      }
    }
  }
  return out;
}

void expect_same_values(const char* family) {
  const auto folder = test::fixtures() / "tiny" / family;
  const GgufSource gguf(folder / "model-f32.gguf");
  const SafetensorsSource hf(folder);
  const auto n_heads = hf.meta("num_attention_heads")->get<uint64_t>();
  const auto n_kv_heads = hf.meta("num_key_value_heads")->get<uint64_t>();

  size_t compared = 0;
  for (const auto& g : gguf.tensors()) {
    const auto name = hf_name(g.name);
    ASSERT_FALSE(name.empty()) << family << ": no counterpart for " << g.name;
    const auto* h = hf.tensor(name);
    ASSERT_NE(h, nullptr) << family << ": " << name;
    ASSERT_EQ(g.dtype, DType::F32) << g.name;
    EXPECT_EQ(g.shape, h->shape) << g.name;
    auto values = test::to_floats(g);
    if (g.name.find("attn_q") != std::string::npos)
      values = unpermute_rows(values, g.shape[0], g.shape[1], n_heads);
    if (g.name.find("attn_k") != std::string::npos)
      values = unpermute_rows(values, g.shape[0], g.shape[1], n_kv_heads);
    EXPECT_EQ(values, test::to_floats(*h)) << family << ": " << g.name << " vs " << name;
    ++compared;
  }
  EXPECT_GE(compared, 3u + 2 * 9);
}

TEST(Equivalence, LlamaGgufMatchesSafetensors) { expect_same_values("llama"); }
TEST(Equivalence, MistralGgufMatchesSafetensors) { expect_same_values("mistral"); }
// bf16 weights widened to f32 are exactly the f32 GGUF's values.
TEST(Equivalence, Bf16SafetensorsMatchF32Gguf) { expect_same_values("llama_bf16"); }

TEST(Equivalence, TiedEmbeddingsHaveNoOutputTensor) {
  const auto folder = test::fixtures() / "tiny" / "llama3";
  const GgufSource gguf(folder / "model-f32.gguf");
  const SafetensorsSource hf(folder);
  EXPECT_EQ(*hf.meta("tie_word_embeddings"), true);
  EXPECT_EQ(test::to_floats(*gguf.tensor("token_embd.weight")),
            test::to_floats(*hf.tensor("model.embed_tokens.weight")));
}

}  // namespace
}  // namespace rbee
