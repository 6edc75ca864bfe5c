#include "synth/presets.hpp"

namespace rbee::synth {

namespace {

// Values from each model's config.json.
constexpr Preset kPresets[] = {
    {.name = "smollm2-135m",
     .architecture = "llama",
     .display_name = "SmolLM2 135M (synthetic)",
     .n_embd = 576,
     .n_layer = 30,
     .n_head = 9,
     .n_head_kv = 3,
     .n_ff = 1536,
     .n_vocab = 49152,
     .tied_embeddings = true,
     .rope_theta = 100000,
     .context = 8192,
     .norm_eps = 1e-5f},
    {.name = "llama-3.2-1b",
     .architecture = "llama",
     .display_name = "Llama 3.2 1B (synthetic)",
     .n_embd = 2048,
     .n_layer = 16,
     .n_head = 32,
     .n_head_kv = 8,
     .n_ff = 8192,
     .n_vocab = 128256,
     .tied_embeddings = true,
     .rope_theta = 500000,
     .context = 131072,
     .norm_eps = 1e-5f,
     .llama3_rope = {.factor = 32, .low_freq_factor = 1, .high_freq_factor = 4, .original_context = 8192}},
    {.name = "llama-3.1-8b",
     .architecture = "llama",
     .display_name = "Llama 3.1 8B (synthetic)",
     .n_embd = 4096,
     .n_layer = 32,
     .n_head = 32,
     .n_head_kv = 8,
     .n_ff = 14336,
     .n_vocab = 128256,
     .tied_embeddings = false,
     .rope_theta = 500000,
     .context = 131072,
     .norm_eps = 1e-5f,
     .llama3_rope = {.factor = 8, .low_freq_factor = 1, .high_freq_factor = 4, .original_context = 8192}},
    // Mixtral 8x7B (v0.1): llama.cpp converts it as "llama" with stacked experts; n_ff is the
    // experts' FFN (feed_forward_length, as the converter writes intermediate_size).
    {.name = "mixtral-8x7b",
     .architecture = "llama",
     .display_name = "Mixtral 8x7B (synthetic)",
     .n_embd = 4096,
     .n_layer = 32,
     .n_head = 32,
     .n_head_kv = 8,
     .n_ff = 14336,
     .n_vocab = 32000,
     .tied_embeddings = false,
     .rope_theta = 1e6f,
     .context = 32768,
     .norm_eps = 1e-5f,
     .n_expert = 8,
     .n_expert_used = 2},
    // Qwen3-30B-A3B: head_dim 128 is not hidden / heads (64); n_ff is the config's dense
    // intermediate_size (written, unused: every layer is sparse), n_ff_expert its
    // moe_intermediate_size.
    {.name = "qwen3-30b-a3b",
     .architecture = "qwen3moe",
     .display_name = "Qwen3 30B A3B (synthetic)",
     .n_embd = 2048,
     .n_layer = 48,
     .n_head = 32,
     .n_head_kv = 4,
     .n_ff = 6144,
     .n_vocab = 151936,
     .head_dim = 128,
     .tied_embeddings = false,
     .rope_theta = 1e6f,
     .context = 40960,
     .norm_eps = 1e-6f,
     .n_expert = 128,
     .n_expert_used = 8,
     .n_ff_expert = 768},
    // DeepSeek-V2-Lite as llama.cpp's convert_hf_to_gguf writes it: MLA turned into MQA over the
    // latent, so head_count_kv 1 and the KV cache holds kv_lora_rank + qk_rope per token and
    // layer. n_ff is the dense first block's intermediate_size, n_ff_expert moe_intermediate_size;
    // softmax scores (scoring_func), greedy top-k without renormalization, routed_scaling_factor
    // 1.0, n_group/topk_group 1. YaRN from rope_scaling (mscale_all_dim 0.707). Only 27 (or 26)
    // blocks make llama.cpp take a file without q_lora_rank as "lite": a file written with
    // --layers N for another N loads in rbee but not in llama.cpp.
    {.name = "deepseek-v2-lite",
     .architecture = "deepseek2",
     .display_name = "DeepSeek V2 Lite (synthetic)",
     .n_embd = 2048,
     .n_layer = 27,
     .n_head = 16,
     .n_head_kv = 1,
     .n_ff = 10944,
     .n_vocab = 102400,
     .tied_embeddings = false,
     .rope_theta = 10000,
     .context = 163840,
     .norm_eps = 1e-6f,
     .n_expert = 64,
     .n_expert_used = 6,
     .n_ff_expert = 1408,
     .n_expert_shared = 2,
     .n_dense_lead = 1,
     .expert_gating_func = 1,
     .expert_weights_scale = 1.0f,
     .n_expert_group = 1,
     .n_expert_group_used = 1,
     .mla = {.kv_lora_rank = 512, .qk_nope = 128, .qk_rope = 64, .v_head = 128},
     .yarn = {.factor = 40, .original_context = 4096, .beta_fast = 32, .beta_slow = 1, .log_multiplier = 0.0707f}},
    // gpt-oss-20b: 32 experts of intermediate_size choosing 4, head_dim 64 (not hidden / heads),
    // sliding window 128 on every other block, YaRN (factor 32 over 4096 positions). With
    // --type mxfp4 the experts are MXFP4 as in llama.cpp's gpt-oss files (the rest Q8_0, the
    // biases, sinks and norms F32).
    {.name = "gpt-oss-20b",
     .architecture = "gpt-oss",
     .display_name = "gpt-oss 20B (synthetic)",
     .n_embd = 2880,
     .n_layer = 24,
     .n_head = 64,
     .n_head_kv = 8,
     .n_ff = 2880,
     .n_vocab = 201088,
     .head_dim = 64,
     .tied_embeddings = false,
     .rope_theta = 150000,
     .context = 131072,
     .norm_eps = 1e-5f,
     .n_expert = 32,
     .n_expert_used = 4,
     .yarn = {.factor = 32, .original_context = 4096, .beta_fast = 32, .beta_slow = 1},
     .sliding_window = 128},
};

}  // namespace

std::span<const Preset> presets() { return kPresets; }

const Preset* find_preset(std::string_view name) {
  for (const auto& p : kPresets)
    if (p.name == name) return &p;
  return nullptr;
}

}  // namespace rbee::synth
