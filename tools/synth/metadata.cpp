// GGUF metadata of a synthetic model: general.*, the architecture's hyperparameters and the
// tokenizer, with the key names and value types llama.cpp's loader expects.
#include <string>

#include "synth/gguf_writer.hpp"
#include "synth/model_plan.hpp"
#include "synth/vocab.hpp"

namespace rbee::synth {

namespace {

void add_llama_hparams(GgufWriter& w, const Preset& p) {
  const std::string a = std::string(p.architecture) + ".";
  w.add_u32(a + "vocab_size", p.n_vocab);
  w.add_u32(a + "context_length", p.context);
  w.add_u32(a + "embedding_length", p.n_embd);
  w.add_u32(a + "block_count", p.n_layer);
  w.add_u32(a + "feed_forward_length", p.n_ff);
  w.add_u32(a + "attention.head_count", p.n_head);
  w.add_u32(a + "attention.head_count_kv", p.n_head_kv);
  w.add_u32(a + "attention.key_length", p.head_size());
  w.add_u32(a + "attention.value_length", p.head_size());
  w.add_f32(a + "attention.layer_norm_rms_epsilon", p.norm_eps);
  w.add_f32(a + "rope.freq_base", p.rope_theta);
  w.add_u32(a + "rope.dimension_count", p.head_size());
  if (p.n_expert) {
    // As convert_hf_to_gguf writes them: expert_count/expert_used_count for Mixtral ("llama")
    // and Qwen3-MoE, which also states the experts' FFN (moe_intermediate_size); llama.cpp's
    // qwen3moe loader reads it (and would take feed_forward_length / n_expert_used without).
    w.add_u32(a + "expert_count", p.n_expert);
    w.add_u32(a + "expert_used_count", p.n_expert_used);
    if (p.architecture == "qwen3moe") w.add_u32(a + "expert_feed_forward_length", p.expert_ff());
  }
}

// deepseek2's keys as convert_hf_to_gguf's DeepseekV2Model (and the TextModel base before it)
// writes them for DeepSeek-V2-Lite, all read by llama.cpp's deepseek2 loader. MLA becomes MQA
// over the latent: head_count_kv 1, key_length kv_lora_rank + rope, value_length kv_lora_rank,
// the per-head sizes in key_length_mla / value_length_mla. No q_lora_rank (V2-Lite has none).
// expert_gating_func comes from config's scoring_func; expert_weights_norm is left out, as the
// newest converter writes it only when norm_topk_prob is true (llama.cpp defaults it to false).
void add_deepseek2_hparams(GgufWriter& w, const Preset& p) {
  const std::string a = std::string(p.architecture) + ".";
  const Mla& m = p.mla;
  w.add_u32(a + "block_count", p.n_layer);
  w.add_u32(a + "context_length", p.context);
  w.add_u32(a + "embedding_length", p.n_embd);
  w.add_u32(a + "feed_forward_length", p.n_ff);
  w.add_u32(a + "attention.head_count", p.n_head);
  w.add_u32(a + "attention.head_count_kv", 1);
  if (p.yarn.factor > 0) {
    w.add_string(a + "rope.scaling.type", "yarn");
    w.add_f32(a + "rope.scaling.factor", p.yarn.factor);
    w.add_u32(a + "rope.scaling.original_context_length", p.yarn.original_context);
    w.add_f32(a + "rope.scaling.yarn_beta_fast", p.yarn.beta_fast);
    w.add_f32(a + "rope.scaling.yarn_beta_slow", p.yarn.beta_slow);
  }
  w.add_f32(a + "rope.freq_base", p.rope_theta);
  w.add_f32(a + "attention.layer_norm_rms_epsilon", p.norm_eps);
  w.add_u32(a + "expert_count", p.n_expert);
  w.add_u32(a + "expert_used_count", p.n_expert_used);
  if (p.n_expert_group) {
    w.add_u32(a + "expert_group_count", p.n_expert_group);
    w.add_u32(a + "expert_group_used_count", p.n_expert_group_used);
  }
  if (p.expert_gating_func) w.add_u32(a + "expert_gating_func", p.expert_gating_func);
  w.add_u32(a + "attention.key_length", m.kv_lora_rank + m.qk_rope);
  w.add_u32(a + "attention.value_length", m.kv_lora_rank);
  w.add_u32(a + "leading_dense_block_count", p.n_dense_lead);
  w.add_u32(a + "vocab_size", p.n_vocab);
  w.add_u32(a + "attention.kv_lora_rank", m.kv_lora_rank);
  w.add_u32(a + "attention.key_length_mla", m.qk_nope + m.qk_rope);
  w.add_u32(a + "attention.value_length_mla", m.v_head);
  w.add_u32(a + "expert_feed_forward_length", p.expert_ff());
  w.add_u32(a + "expert_shared_count", p.n_expert_shared);
  w.add_f32(a + "expert_weights_scale", p.expert_weights_scale);
  w.add_u32(a + "rope.dimension_count", m.qk_rope);
  if (p.yarn.factor > 0) w.add_f32(a + "rope.scaling.yarn_log_multiplier", p.yarn.log_multiplier);
}

// gpt-oss's keys as convert_hf_to_gguf's GptOssModel writes them (those of the tiny fixture's
// model-f32.gguf): no rope.dimension_count (the head size), the experts' FFN in both
// feed_forward_length and expert_feed_forward_length, YaRN under rope.scaling.*.
void add_gpt_oss_hparams(GgufWriter& w, const Preset& p) {
  const std::string a = std::string(p.architecture) + ".";
  w.add_u32(a + "block_count", p.n_layer);
  w.add_u32(a + "context_length", p.context);
  w.add_u32(a + "embedding_length", p.n_embd);
  w.add_u32(a + "feed_forward_length", p.expert_ff());
  w.add_u32(a + "attention.head_count", p.n_head);
  w.add_u32(a + "attention.head_count_kv", p.n_head_kv);
  w.add_string(a + "rope.scaling.type", "yarn");
  w.add_f32(a + "rope.scaling.factor", p.yarn.factor);
  w.add_u32(a + "rope.scaling.original_context_length", p.yarn.original_context);
  w.add_f32(a + "rope.scaling.yarn_beta_fast", p.yarn.beta_fast);
  w.add_f32(a + "rope.scaling.yarn_beta_slow", p.yarn.beta_slow);
  w.add_f32(a + "rope.freq_base", p.rope_theta);
  w.add_f32(a + "attention.layer_norm_rms_epsilon", p.norm_eps);
  w.add_u32(a + "expert_count", p.n_expert);
  w.add_u32(a + "expert_used_count", p.n_expert_used);
  w.add_u32(a + "attention.key_length", p.head_size());
  w.add_u32(a + "attention.value_length", p.head_size());
  w.add_u32(a + "attention.sliding_window", p.sliding_window);
  w.add_u32(a + "expert_feed_forward_length", p.expert_ff());
}

// Every preset gets this vocabulary, whatever its model's own tokenizer (Qwen3's is a GPT-2
// style BPE): llama.cpp picks the tokenizer from tokenizer.ggml.model, not the architecture, and
// only the vocabulary's size shapes the weights.
void add_spm_tokenizer(GgufWriter& w, uint32_t n_vocab) {
  const SpmVocab v = make_spm_vocab(n_vocab);
  w.add_string("tokenizer.ggml.model", "llama");
  w.add_string("tokenizer.ggml.pre", "default");
  w.add_array("tokenizer.ggml.tokens", std::span<const std::string>(v.tokens));
  w.add_array("tokenizer.ggml.scores", std::span<const float>(v.scores));
  w.add_array("tokenizer.ggml.token_type", std::span<const int32_t>(v.types));
  w.add_u32("tokenizer.ggml.bos_token_id", 1);
  w.add_u32("tokenizer.ggml.eos_token_id", 2);
  w.add_u32("tokenizer.ggml.unknown_token_id", 0);
  w.add_bool("tokenizer.ggml.add_bos_token", true);
  w.add_bool("tokenizer.ggml.add_eos_token", false);
}

}  // namespace

void add_metadata(GgufWriter& w, const ModelPlan& plan) {
  const Preset& p = plan.preset;
  w.add_string("general.architecture", p.architecture);
  w.add_string("general.type", "model");
  w.add_string("general.name", p.display_name);
  w.add_u32("general.file_type", info(plan.file_type).llama_ftype);
  w.add_u32("general.quantization_version", 2);
  if (p.architecture == "deepseek2")
    add_deepseek2_hparams(w, p);
  else if (p.architecture == "gpt-oss")
    add_gpt_oss_hparams(w, p);
  else
    add_llama_hparams(w, p);
  add_spm_tokenizer(w, p.n_vocab);
}

}  // namespace rbee::synth
