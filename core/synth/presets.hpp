#pragma once
#include <cstdint>
#include <span>
#include <string_view>

namespace rbee::synth {

// Llama 3 RoPE scaling as written by llama.cpp: a rope_freqs.weight tensor of factors.
struct Llama3Rope {
  float factor = 0;  // 0: no scaling
  float low_freq_factor = 1;
  float high_freq_factor = 4;
  uint32_t original_context = 8192;
};

// The shape and hyperparameters of a real model. Architectures other than "llama" and
// "qwen3moe" (deepseek-v2-lite: deepseek2) add their fields here and their tensor list in
// model_plan.cpp.
struct Preset {
  std::string_view name;          // what --preset takes
  std::string_view architecture;  // general.architecture
  std::string_view display_name;  // general.name
  uint32_t n_embd = 0;
  uint32_t n_layer = 0;
  uint32_t n_head = 0;
  uint32_t n_head_kv = 0;
  uint32_t n_ff = 0;
  uint32_t n_vocab = 0;
  uint32_t head_dim = 0;  // 0: n_embd / n_head
  bool tied_embeddings = false;
  float rope_theta = 10000;
  uint32_t context = 4096;
  float norm_eps = 1e-5f;
  Llama3Rope llama3_rope;
  // Mixture of experts (0 = dense): every block's FFN is n_expert experts of which n_expert_used
  // run per token, each of n_ff_expert (0: n_ff, as Mixtral in "llama" files).
  uint32_t n_expert = 0;
  uint32_t n_expert_used = 0;
  uint32_t n_ff_expert = 0;

  uint32_t expert_ff() const { return n_ff_expert ? n_ff_expert : n_ff; }

  uint32_t head_size() const { return head_dim ? head_dim : n_embd / n_head; }
};

std::span<const Preset> presets();
// The preset of that name, or nullptr.
const Preset* find_preset(std::string_view name);

}  // namespace rbee::synth
