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

// YaRN RoPE scaling as convert_hf_to_gguf writes it for deepseek2 and gpt-oss (rope.scaling.*
// keys, no tensor).
struct YarnRope {
  float factor = 0;  // 0: no scaling
  uint32_t original_context = 4096;
  float beta_fast = 32;
  float beta_slow = 1;
  float log_multiplier = 0;  // rope.scaling.yarn_log_multiplier: 0.1 * mscale_all_dim for deepseek2
};

// Multi-head latent attention (deepseek2): keys and values come from a kv_lora_rank latent that
// is cached with the rotary key, decompressed per head by attn_k_b / attn_v_b. Queries are
// projected directly (attn_q) as in DeepSeek-V2-Lite; Q LoRA (V2/V3) is not planned yet.
struct Mla {
  uint32_t kv_lora_rank = 0;  // 0: not MLA
  uint32_t qk_nope = 0;       // per-head key/query dimensions without RoPE
  uint32_t qk_rope = 0;       // ... with RoPE (rope.dimension_count)
  uint32_t v_head = 0;        // per-head value dimension
};

// The shape and hyperparameters of a real model. Architectures other than "llama", "qwen3moe",
// "deepseek2" and "gpt-oss" add their fields here and their tensor list in model_plan.cpp.
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
  // deepseek2's MoE: shared experts (ffn_*_shexp, n_expert_shared * n_ff_expert wide) beside the
  // routed ones, leading dense blocks (n_ff wide), the router's gating function (llama.cpp's
  // expert_gating_func: 1 softmax, 2 sigmoid), the routed weights' scale and expert groups.
  uint32_t n_expert_shared = 0;
  uint32_t n_dense_lead = 0;
  uint32_t expert_gating_func = 0;
  float expert_weights_scale = 1;
  uint32_t n_expert_group = 0;
  uint32_t n_expert_group_used = 0;
  Mla mla;
  YarnRope yarn;
  uint32_t sliding_window = 0;  // gpt-oss: the window of its sliding layers (every other block)

  uint32_t expert_ff() const { return n_ff_expert ? n_ff_expert : n_ff; }

  uint32_t head_size() const { return head_dim ? head_dim : n_embd / n_head; }
};

std::span<const Preset> presets();
// The preset of that name, or nullptr.
const Preset* find_preset(std::string_view name);

}  // namespace rbee::synth
