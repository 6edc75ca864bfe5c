#include "synth/model_plan.hpp"

#include <cmath>
#include <cstdio>
#include <numbers>
#include <stdexcept>

namespace rbee::synth {

namespace {

// llama.cpp's name of a tensor, from the table the plugins read it by (rbee/family/names.h).
std::string gguf_name(rbee_tensor_id id, int layer) {
  char name[RBEE_NAME_MAX];
  std::snprintf(name, sizeof name, rbee_standard_tensor_name(id, RBEE_FORMAT_GGUF), static_cast<unsigned>(layer));
  return name;
}

void add(ModelPlan& plan, std::vector<uint64_t> ne, rbee_tensor_id role, int layer = -1) {
  TensorPlan t{.name = gguf_name(role, layer), .ne = std::move(ne), .role = role, .layer = layer};
  const bool norm = role == RBEE_T_ATTN_NORM || role == RBEE_T_FFN_NORM || role == RBEE_T_OUTPUT_NORM ||
                    role == RBEE_T_ATTN_Q_NORM || role == RBEE_T_ATTN_K_NORM || role == RBEE_T_ATTN_KV_A_NORM ||
                    role == RBEE_T_ATTN_POST_NORM;
  t.init = norm ? Init::Ones : Init::Random;
  plan.tensors.push_back(std::move(t));
}

// The pre-norm decoder llama.cpp's "llama" and "qwen3moe" loaders expect: per-head Q/K norms
// where qk_norm (Qwen3), and where the preset has experts a router ffn_gate_inp {n_embd, n_expert}
// with stacked ffn_{gate,up,down}_exps (GGML ne {cols, rows, n_expert}, as convert_hf_to_gguf
// stacks Mixtral's and Qwen3-MoE's experts) in place of the dense FFN.
void plan_decoder(ModelPlan& plan, bool qk_norm) {
  const Preset& p = plan.preset;
  const uint64_t e = p.n_embd, hd = p.head_size(), q = uint64_t(p.n_head) * hd, kv = uint64_t(p.n_head_kv) * hd;
  const uint64_t ff = p.n_expert ? p.expert_ff() : p.n_ff, n_exp = p.n_expert;
  if (p.llama3_rope.factor > 0) {
    TensorPlan t{.name = gguf_name(RBEE_T_ROPE_FREQS, -1), .ne = {hd / 2}, .role = RBEE_T_ROPE_FREQS, .init = Init::Values};
    t.values = llama3_rope_factors(static_cast<uint32_t>(hd), p.rope_theta, p.llama3_rope);
    plan.tensors.push_back(std::move(t));
  }
  add(plan, {e, p.n_vocab}, RBEE_T_TOKEN_EMBD);
  for (uint32_t i = 0; i < p.n_layer; ++i) {
    const int l = static_cast<int>(i);
    add(plan, {e}, RBEE_T_ATTN_NORM, l);
    add(plan, {e, q}, RBEE_T_ATTN_Q, l);
    add(plan, {e, kv}, RBEE_T_ATTN_K, l);
    add(plan, {e, kv}, RBEE_T_ATTN_V, l);
    add(plan, {q, e}, RBEE_T_ATTN_OUT, l);
    if (qk_norm) {
      add(plan, {hd}, RBEE_T_ATTN_Q_NORM, l);
      add(plan, {hd}, RBEE_T_ATTN_K_NORM, l);
    }
    add(plan, {e}, RBEE_T_FFN_NORM, l);
    if (n_exp) {
      add(plan, {e, n_exp}, RBEE_T_FFN_GATE_INP, l);
      add(plan, {e, ff, n_exp}, RBEE_T_FFN_GATE_EXPS, l);
      add(plan, {e, ff, n_exp}, RBEE_T_FFN_UP_EXPS, l);
      add(plan, {ff, e, n_exp}, RBEE_T_FFN_DOWN_EXPS, l);
    } else {
      add(plan, {e, ff}, RBEE_T_FFN_GATE, l);
      add(plan, {e, ff}, RBEE_T_FFN_UP, l);
      add(plan, {ff, e}, RBEE_T_FFN_DOWN, l);
    }
  }
  add(plan, {e}, RBEE_T_OUTPUT_NORM);
  if (!p.tied_embeddings) add(plan, {e, p.n_vocab}, RBEE_T_OUTPUT);
}

// llama.cpp's deepseek2 as the newest convert_hf_to_gguf writes it (DeepSeek-V2-Lite: no Q LoRA):
// per block attn_q {n_embd, H * (nope + rope)}, attn_kv_a_mqa {n_embd, kv_lora_rank + rope} (the
// latent and the shared rotary key), attn_kv_a_norm {kv_lora_rank}, kv_b_proj split per head into
// attn_k_b {nope, kv_lora_rank, H} (transposed) and attn_v_b {kv_lora_rank, v, H}, attn_output
// {H * v, n_embd}; the first n_dense_lead blocks a dense FFN of n_ff, the rest a router, stacked
// routed experts and shared experts of n_expert_shared * n_ff_expert.
void plan_deepseek2(ModelPlan& plan) {
  const Preset& p = plan.preset;
  const uint64_t e = p.n_embd, h = p.n_head, r = p.mla.kv_lora_rank, dn = p.mla.qk_nope, dr = p.mla.qk_rope,
                 dv = p.mla.v_head, ff = p.expert_ff(), n_exp = p.n_expert, shared = uint64_t(p.n_expert_shared) * ff;
  add(plan, {e, p.n_vocab}, RBEE_T_TOKEN_EMBD);
  for (uint32_t i = 0; i < p.n_layer; ++i) {
    const int l = static_cast<int>(i);
    add(plan, {e}, RBEE_T_ATTN_NORM, l);
    add(plan, {e, h * (dn + dr)}, RBEE_T_ATTN_Q, l);
    add(plan, {e, r + dr}, RBEE_T_ATTN_KV_A_MQA, l);
    add(plan, {r}, RBEE_T_ATTN_KV_A_NORM, l);
    add(plan, {dn, r, h}, RBEE_T_ATTN_K_B, l);
    add(plan, {r, dv, h}, RBEE_T_ATTN_V_B, l);
    add(plan, {h * dv, e}, RBEE_T_ATTN_OUT, l);
    add(plan, {e}, RBEE_T_FFN_NORM, l);
    if (i < p.n_dense_lead) {
      add(plan, {e, p.n_ff}, RBEE_T_FFN_GATE, l);
      add(plan, {e, p.n_ff}, RBEE_T_FFN_UP, l);
      add(plan, {p.n_ff, e}, RBEE_T_FFN_DOWN, l);
      continue;
    }
    add(plan, {e, n_exp}, RBEE_T_FFN_GATE_INP, l);
    add(plan, {e, ff, n_exp}, RBEE_T_FFN_GATE_EXPS, l);
    add(plan, {e, ff, n_exp}, RBEE_T_FFN_UP_EXPS, l);
    add(plan, {ff, e, n_exp}, RBEE_T_FFN_DOWN_EXPS, l);
    if (shared) {
      add(plan, {e, shared}, RBEE_T_FFN_GATE_SHEXP, l);
      add(plan, {e, shared}, RBEE_T_FFN_UP_SHEXP, l);
      add(plan, {shared, e}, RBEE_T_FFN_DOWN_SHEXP, l);
    }
  }
  add(plan, {e}, RBEE_T_OUTPUT_NORM);
  if (!p.tied_embeddings) add(plan, {e, p.n_vocab}, RBEE_T_OUTPUT);
}

// llama.cpp's gpt-oss as convert_hf_to_gguf writes it (the tiny fixture's model-f32.gguf has
// these tensors): biased Q/K/V/O, attn_sinks {n_head}, the norm before the experts named
// post_attention_norm, a biased router and stacked gate/up/down experts, each with a bias
// {ff or n_embd, n_expert}.
void plan_gpt_oss(ModelPlan& plan) {
  const Preset& p = plan.preset;
  const uint64_t e = p.n_embd, hd = p.head_size(), q = uint64_t(p.n_head) * hd, kv = uint64_t(p.n_head_kv) * hd;
  const uint64_t ff = p.expert_ff(), n_exp = p.n_expert;
  add(plan, {e, p.n_vocab}, RBEE_T_TOKEN_EMBD);
  for (uint32_t i = 0; i < p.n_layer; ++i) {
    const int l = static_cast<int>(i);
    add(plan, {e}, RBEE_T_ATTN_NORM, l);
    add(plan, {e, q}, RBEE_T_ATTN_Q, l);
    add(plan, {q}, RBEE_T_ATTN_Q_BIAS, l);
    add(plan, {e, kv}, RBEE_T_ATTN_K, l);
    add(plan, {kv}, RBEE_T_ATTN_K_BIAS, l);
    add(plan, {e, kv}, RBEE_T_ATTN_V, l);
    add(plan, {kv}, RBEE_T_ATTN_V_BIAS, l);
    add(plan, {q, e}, RBEE_T_ATTN_OUT, l);
    add(plan, {e}, RBEE_T_ATTN_OUT_BIAS, l);
    add(plan, {p.n_head}, RBEE_T_ATTN_SINKS, l);
    add(plan, {e}, RBEE_T_ATTN_POST_NORM, l);
    add(plan, {e, n_exp}, RBEE_T_FFN_GATE_INP, l);
    add(plan, {n_exp}, RBEE_T_FFN_GATE_INP_BIAS, l);
    add(plan, {e, ff, n_exp}, RBEE_T_FFN_GATE_EXPS, l);
    add(plan, {ff, n_exp}, RBEE_T_FFN_GATE_EXPS_BIAS, l);
    add(plan, {e, ff, n_exp}, RBEE_T_FFN_UP_EXPS, l);
    add(plan, {ff, n_exp}, RBEE_T_FFN_UP_EXPS_BIAS, l);
    add(plan, {ff, e, n_exp}, RBEE_T_FFN_DOWN_EXPS, l);
    add(plan, {e, n_exp}, RBEE_T_FFN_DOWN_EXPS_BIAS, l);
  }
  add(plan, {e}, RBEE_T_OUTPUT_NORM);
  if (!p.tied_embeddings) add(plan, {e, p.n_vocab}, RBEE_T_OUTPUT);
}

void check_shape(const Preset& p) {
  auto bad = [&](const std::string& what) {
    throw std::invalid_argument("preset " + std::string(p.name) + ": " + what);
  };
  if (p.n_embd == 0 || p.n_layer == 0 || p.n_head == 0 || p.n_head_kv == 0 || p.n_vocab == 0 || p.head_size() == 0)
    bad("zero dimension");
  if (p.n_head % p.n_head_kv != 0) bad("heads are not a multiple of KV heads");
  if (p.n_expert == 0 && p.n_expert_used != 0) bad("experts used without experts");
  if (p.n_expert != 0 && (p.n_expert_used == 0 || p.n_expert_used > p.n_expert))
    bad("expert_used_count must be 1..expert_count");
  if ((p.n_expert ? p.expert_ff() : p.n_ff) == 0) bad("zero feed-forward length");
  if (p.architecture == "deepseek2") {
    const Mla& m = p.mla;
    if (m.kv_lora_rank == 0 || m.qk_nope == 0 || m.qk_rope == 0 || m.v_head == 0) bad("zero MLA dimension");
    if (m.qk_rope % 2 != 0) bad("odd rotary dimension");
    if (p.n_expert == 0) bad("deepseek2 needs experts");
    if (p.n_dense_lead && p.n_ff == 0) bad("dense blocks without feed_forward_length");
  }
  if (p.architecture == "gpt-oss") {
    if (p.n_expert == 0) bad("gpt-oss needs experts");
    if (p.sliding_window == 0 || p.yarn.factor <= 0) bad("gpt-oss needs a sliding window and YaRN");
  }
}

}  // namespace

std::vector<float> llama3_rope_factors(uint32_t head_dim, float theta, const Llama3Rope& r) {
  // As convert_hf_to_gguf.py computes them, in float32.
  const float low_wavelen = r.original_context / r.low_freq_factor;
  const float high_wavelen = r.original_context / r.high_freq_factor;
  std::vector<float> out;
  for (uint32_t i = 0; i < head_dim; i += 2) {
    const float freq = 1.0f / std::pow(theta, static_cast<float>(i) / static_cast<float>(head_dim));
    const float wavelen = 2.0f * std::numbers::pi_v<float> / freq;
    if (wavelen < high_wavelen) {
      out.push_back(1.0f);
    } else if (wavelen > low_wavelen) {
      out.push_back(r.factor);
    } else {
      const float smooth = (r.original_context / wavelen - r.low_freq_factor) / (r.high_freq_factor - r.low_freq_factor);
      out.push_back(1.0f / ((1.0f - smooth) / r.factor + smooth));
    }
  }
  return out;
}

ModelPlan plan_model(const Preset& preset, FileType type, const PlanOptions& options) {
  ModelPlan plan{.preset = preset, .file_type = type};
  Preset& p = plan.preset;
  if (options.layers) {
    if (*options.layers == 0) throw std::invalid_argument("--layers must be at least 1");
    p.n_layer = *options.layers;
  }
  if (options.vocab) p.n_vocab = *options.vocab;
  check_shape(p);
  if (p.architecture == "llama") {
    plan_decoder(plan, false);
  } else if (p.architecture == "qwen3moe") {
    // llama.cpp's qwen3moe loader throws without experts.
    if (p.n_expert == 0) throw std::invalid_argument("qwen3moe needs experts");
    plan_decoder(plan, true);
  } else if (p.architecture == "deepseek2") {
    plan_deepseek2(plan);
  } else if (p.architecture == "gpt-oss") {
    plan_gpt_oss(plan);
  } else {
    throw std::invalid_argument("synth does not know architecture '" + std::string(p.architecture) + "' yet");
  }
  const MixContext ctx{.n_layer = p.n_layer,
                       .n_gqa = p.n_head / p.n_head_kv,
                       .n_expert = p.n_expert,
                       .tied_embeddings = p.tied_embeddings};
  for (auto& t : plan.tensors) t.type = tensor_type(type, t.role, t.layer, t.ne, ctx);
  return plan;
}

}  // namespace rbee::synth
