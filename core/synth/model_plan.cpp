#include "synth/model_plan.hpp"

#include <cmath>
#include <numbers>
#include <stdexcept>

namespace rbee::synth {

namespace {

void add(ModelPlan& plan, std::string name, std::vector<uint64_t> ne, TensorRole role, int layer = -1) {
  TensorPlan t{.name = std::move(name), .ne = std::move(ne), .role = role, .layer = layer};
  const bool norm = role == TensorRole::AttnNorm || role == TensorRole::FfnNorm || role == TensorRole::OutputNorm ||
                    role == TensorRole::AttnQNorm || role == TensorRole::AttnKNorm || role == TensorRole::AttnKvANorm;
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
    TensorPlan t{.name = "rope_freqs.weight", .ne = {hd / 2}, .role = TensorRole::RopeFreqs, .init = Init::Values};
    t.values = llama3_rope_factors(static_cast<uint32_t>(hd), p.rope_theta, p.llama3_rope);
    plan.tensors.push_back(std::move(t));
  }
  add(plan, "token_embd.weight", {e, p.n_vocab}, TensorRole::TokenEmbd);
  for (uint32_t i = 0; i < p.n_layer; ++i) {
    const std::string b = "blk." + std::to_string(i) + ".";
    const int l = static_cast<int>(i);
    add(plan, b + "attn_norm.weight", {e}, TensorRole::AttnNorm, l);
    add(plan, b + "attn_q.weight", {e, q}, TensorRole::AttnQ, l);
    add(plan, b + "attn_k.weight", {e, kv}, TensorRole::AttnK, l);
    add(plan, b + "attn_v.weight", {e, kv}, TensorRole::AttnV, l);
    add(plan, b + "attn_output.weight", {q, e}, TensorRole::AttnOutput, l);
    if (qk_norm) {
      add(plan, b + "attn_q_norm.weight", {hd}, TensorRole::AttnQNorm, l);
      add(plan, b + "attn_k_norm.weight", {hd}, TensorRole::AttnKNorm, l);
    }
    add(plan, b + "ffn_norm.weight", {e}, TensorRole::FfnNorm, l);
    if (n_exp) {
      add(plan, b + "ffn_gate_inp.weight", {e, n_exp}, TensorRole::FfnGateInp, l);
      add(plan, b + "ffn_gate_exps.weight", {e, ff, n_exp}, TensorRole::FfnGateExps, l);
      add(plan, b + "ffn_up_exps.weight", {e, ff, n_exp}, TensorRole::FfnUpExps, l);
      add(plan, b + "ffn_down_exps.weight", {ff, e, n_exp}, TensorRole::FfnDownExps, l);
    } else {
      add(plan, b + "ffn_gate.weight", {e, ff}, TensorRole::FfnGate, l);
      add(plan, b + "ffn_up.weight", {e, ff}, TensorRole::FfnUp, l);
      add(plan, b + "ffn_down.weight", {ff, e}, TensorRole::FfnDown, l);
    }
  }
  add(plan, "output_norm.weight", {e}, TensorRole::OutputNorm);
  if (!p.tied_embeddings) add(plan, "output.weight", {e, p.n_vocab}, TensorRole::Output);
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
  add(plan, "token_embd.weight", {e, p.n_vocab}, TensorRole::TokenEmbd);
  for (uint32_t i = 0; i < p.n_layer; ++i) {
    const std::string b = "blk." + std::to_string(i) + ".";
    const int l = static_cast<int>(i);
    add(plan, b + "attn_norm.weight", {e}, TensorRole::AttnNorm, l);
    add(plan, b + "attn_q.weight", {e, h * (dn + dr)}, TensorRole::AttnQ, l);
    add(plan, b + "attn_kv_a_mqa.weight", {e, r + dr}, TensorRole::AttnKvAMqa, l);
    add(plan, b + "attn_kv_a_norm.weight", {r}, TensorRole::AttnKvANorm, l);
    add(plan, b + "attn_k_b.weight", {dn, r, h}, TensorRole::AttnKB, l);
    add(plan, b + "attn_v_b.weight", {r, dv, h}, TensorRole::AttnVB, l);
    add(plan, b + "attn_output.weight", {h * dv, e}, TensorRole::AttnOutput, l);
    add(plan, b + "ffn_norm.weight", {e}, TensorRole::FfnNorm, l);
    if (i < p.n_dense_lead) {
      add(plan, b + "ffn_gate.weight", {e, p.n_ff}, TensorRole::FfnGate, l);
      add(plan, b + "ffn_up.weight", {e, p.n_ff}, TensorRole::FfnUp, l);
      add(plan, b + "ffn_down.weight", {p.n_ff, e}, TensorRole::FfnDown, l);
      continue;
    }
    add(plan, b + "ffn_gate_inp.weight", {e, n_exp}, TensorRole::FfnGateInp, l);
    add(plan, b + "ffn_gate_exps.weight", {e, ff, n_exp}, TensorRole::FfnGateExps, l);
    add(plan, b + "ffn_up_exps.weight", {e, ff, n_exp}, TensorRole::FfnUpExps, l);
    add(plan, b + "ffn_down_exps.weight", {ff, e, n_exp}, TensorRole::FfnDownExps, l);
    if (shared) {
      add(plan, b + "ffn_gate_shexp.weight", {e, shared}, TensorRole::FfnGateShexp, l);
      add(plan, b + "ffn_up_shexp.weight", {e, shared}, TensorRole::FfnUpShexp, l);
      add(plan, b + "ffn_down_shexp.weight", {shared, e}, TensorRole::FfnDownShexp, l);
    }
  }
  add(plan, "output_norm.weight", {e}, TensorRole::OutputNorm);
  if (!p.tied_embeddings) add(plan, "output.weight", {e, p.n_vocab}, TensorRole::Output);
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
