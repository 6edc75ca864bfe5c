/* Hyperparameters from GGUF metadata ("deepseek2.block_count") or config.json ("num_hidden_layers"). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deepseek.h"

/* YaRN's magnitude scale as DeepSeek and transformers compute it. */
static float yarn_get_mscale(float factor, float mscale) {
  return factor <= 1.0f ? 1.0f : 0.1f * mscale * logf(factor) + 1.0f;
}

/* GGUF: general.architecture; config.json: model_type (both checked by the host before this). */
static const char* architecture(const rbee_hparams* r) {
  const char* arch = "";
  r->api->get_string(r->src, r->format == RBEE_FORMAT_GGUF ? "general.architecture" : "model_type", &arch);
  return arch;
}

static rbee_status read_vocab(const rbee_hparams* r, deepseek_model* m) {
  if (r->format != RBEE_FORMAT_GGUF) return rbee_hparams_u32(r, "vocab_size", &m->n_vocab);
  rbee_tensor_info embd = {.struct_size = sizeof embd};
  if (r->api->tensor_info(r->src, m->names->token_embd, &embd) != RBEE_OK || embd.n_dims != 2)
    return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%s: missing or not 2-D", m->names->token_embd);
  m->n_vocab = (uint32_t)embd.shape[0];
  return RBEE_OK;
}

/* RoPE of the rotary parts and the attention scale. YaRN (every DeepSeek checkpoint) as
 * transformers computes it: cos and sin times mscale(factor, mscale) / mscale(factor,
 * mscale_all_dim) (mscale(factor) when either is missing, or config's attention_factor), and the
 * softmax scale times mscale(factor, mscale_all_dim)^2 when mscale_all_dim is set. GGUF carries
 * only yarn_log_multiplier = 0.1 * mscale_all_dim and no mscale: llama.cpp's deepseek2 leaves cos
 * and sin unscaled (the two mscales taken equal, as in every released config) and scales the
 * softmax by (1 + yarn_log_multiplier * ln(factor))^2; so does this. */
static rbee_status read_rope(const rbee_hparams* r, deepseek_model* m) {
  int gguf = r->format == RBEE_FORMAT_GGUF;
  m->rope = (rbee_rope_params){.struct_size = sizeof(rbee_rope_params), .theta = 10000.0f, .factor = 1.0f};
  RBEE_TRY(rbee_hparams_float(r, gguf ? "rope.freq_base" : "rope_theta", &m->rope.theta));
  m->attn_scale = 1.0f / sqrtf((float)(m->qk_nope + m->qk_rope));

  const char* type = NULL;
  RBEE_TRY(rbee_hparams_string(r, gguf ? "rope.scaling.type" : "rope_scaling.rope_type", &type));
  if (!gguf && type == NULL) RBEE_TRY(rbee_hparams_string(r, "rope_scaling.type", &type));
  if (type == NULL || strcmp(type, "yarn") != 0) {
    RBEE_TRY(rbee_hparams_rope_scaling(r, &m->rope));
  } else {
    m->rope.scaling = RBEE_ROPE_SCALING_YARN;
    m->rope.beta_fast = 32.0f;
    m->rope.beta_slow = 1.0f;
    m->rope.original_max_positions = m->n_ctx_train;
    if (gguf) {
      float log_mul = 0.0f;
      RBEE_TRY(rbee_hparams_float(r, "rope.scaling.factor", &m->rope.factor));
      RBEE_TRY(rbee_hparams_u32(r, "rope.scaling.original_context_length", &m->rope.original_max_positions));
      RBEE_TRY(rbee_hparams_float(r, "rope.scaling.yarn_beta_fast", &m->rope.beta_fast));
      RBEE_TRY(rbee_hparams_float(r, "rope.scaling.yarn_beta_slow", &m->rope.beta_slow));
      RBEE_TRY(rbee_hparams_float(r, "rope.scaling.yarn_log_multiplier", &log_mul));
      m->mscale_all_dim = log_mul / 0.1f;
      m->mscale = m->mscale_all_dim;
      m->rope.attn_factor = 1.0f;
    } else {
      float attention_factor = 0.0f;
      RBEE_TRY(rbee_hparams_float(r, "rope_scaling.factor", &m->rope.factor));
      RBEE_TRY(rbee_hparams_u32(r, "rope_scaling.original_max_position_embeddings", &m->rope.original_max_positions));
      RBEE_TRY(rbee_hparams_float(r, "rope_scaling.beta_fast", &m->rope.beta_fast));
      RBEE_TRY(rbee_hparams_float(r, "rope_scaling.beta_slow", &m->rope.beta_slow));
      RBEE_TRY(rbee_hparams_float(r, "rope_scaling.mscale", &m->mscale));
      RBEE_TRY(rbee_hparams_float(r, "rope_scaling.mscale_all_dim", &m->mscale_all_dim));
      RBEE_TRY(rbee_hparams_float(r, "rope_scaling.attention_factor", &attention_factor));
      if (attention_factor > 0.0f)
        m->rope.attn_factor = attention_factor;
      else if (m->mscale != 0.0f && m->mscale_all_dim != 0.0f)
        m->rope.attn_factor = yarn_get_mscale(m->rope.factor, m->mscale) / yarn_get_mscale(m->rope.factor, m->mscale_all_dim);
      else
        m->rope.attn_factor = yarn_get_mscale(m->rope.factor, 1.0f);
    }
    if (!(m->rope.factor > 0.0f))
      return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%s%s: must be > 0", r->prefix,
                       gguf ? "rope.scaling.factor" : "rope_scaling.factor");
    if (m->mscale_all_dim != 0.0f) {
      float s = yarn_get_mscale(m->rope.factor, m->mscale_all_dim);
      m->attn_scale *= s * s;
    }
  }
  /* Adjacent pairs in both formats: DeepSeek-V2's complex view and V3's rope_interleave both
   * rotate (x0, x1), (x2, x3)...; a V3 config with rope_interleave false rotates halves. */
  int interleave = 1;
  if (!gguf) RBEE_TRY(rbee_hparams_bool(r, "rope_interleave", &interleave));
  m->rope.mode = interleave ? RBEE_ROPE_NORMAL : RBEE_ROPE_NEOX;
  m->rope.n_heads = m->n_head;
  m->rope.head_dim = m->qk_rope;
  m->rope.n_rot = m->qk_rope;
  return RBEE_OK;
}

/* Routed and shared experts, which layers use them, and how tokens are routed. */
static rbee_status read_experts(const rbee_hparams* r, deepseek_model* m, int v2) {
  int gguf = r->format == RBEE_FORMAT_GGUF;
  const char* count = gguf ? "expert_count" : "n_routed_experts";
  RBEE_TRY(rbee_hparams_count(r, count, &m->n_expert));
  m->moe_freq = 1;
  if (m->n_expert == 0) return RBEE_OK; /* absent (null) or 0: a dense model */
  const char* used = gguf ? "expert_used_count" : "num_experts_per_tok";
  RBEE_TRY(rbee_hparams_u32(r, used, &m->n_expert_used));
  RBEE_TRY(rbee_hparams_u32(r, gguf ? "expert_feed_forward_length" : "moe_intermediate_size", &m->n_ff_exp));
  RBEE_TRY(rbee_hparams_count(r, gguf ? "expert_shared_count" : "n_shared_experts", &m->n_shared));
  RBEE_TRY(rbee_hparams_count(r, gguf ? "leading_dense_block_count" : "first_k_dense_replace", &m->n_dense_lead));
  if (!gguf) RBEE_TRY(rbee_hparams_u32(r, "moe_layer_freq", &m->moe_freq));
  if (m->n_expert_used > m->n_expert || m->n_expert_used > 32)
    return rbee_fail(r->err, RBEE_ERROR_UNSUPPORTED, "%s%s: %u experts per token, but the model has %u (and at most 32 are supported)",
                     r->prefix, used, m->n_expert_used, m->n_expert);

  /* Scores: V2 softmax, V3/R1/Kimi sigmoid (config.json's scoring_func, GGUF's
   * expert_gating_func 1 softmax / 2 sigmoid; llama.cpp's default is softmax). */
  m->gating = v2 || gguf ? RBEE_MOE_SOFTMAX : RBEE_MOE_SIGMOID;
  if (gguf) {
    uint32_t func = 0;
    RBEE_TRY(rbee_hparams_count(r, "expert_gating_func", &func));
    if (func == 2) m->gating = RBEE_MOE_SIGMOID;
    else if (func > 2)
      return rbee_fail(r->err, RBEE_ERROR_UNSUPPORTED, "%sexpert_gating_func: %u is not supported", r->prefix, func);
  } else {
    const char* scoring = NULL;
    RBEE_TRY(rbee_hparams_string(r, "scoring_func", &scoring));
    if (scoring && !strcmp(scoring, "softmax")) m->gating = RBEE_MOE_SOFTMAX;
    else if (scoring && !strcmp(scoring, "sigmoid")) m->gating = RBEE_MOE_SIGMOID;
    else if (scoring)
      return rbee_fail(r->err, RBEE_ERROR_UNSUPPORTED, "scoring_func: \"%s\" is not supported", scoring);
  }

  /* Group-limited routing. V3 (sigmoid, noaux_tc) always: a group scores the sum of its 2 best.
   * V2: only with topk_method group_limited_greedy, a group scoring its best; greedy has none.
   * GGUF keeps no method: groups whenever it lists more than one, scored by the gating's rule. */
  uint32_t n_group = 0, topk_group = 0;
  RBEE_TRY(rbee_hparams_count(r, gguf ? "expert_group_count" : "n_group", &n_group));
  RBEE_TRY(rbee_hparams_count(r, gguf ? "expert_group_used_count" : "topk_group", &topk_group));
  int grouped = 1;
  if (!gguf && m->gating == RBEE_MOE_SOFTMAX) {
    const char* method = NULL;
    RBEE_TRY(rbee_hparams_string(r, "topk_method", &method));
    if (method == NULL || !strcmp(method, "greedy") || !strcmp(method, "gready")) grouped = 0;
    else if (strcmp(method, "group_limited_greedy") != 0)
      return rbee_fail(r->err, RBEE_ERROR_UNSUPPORTED, "topk_method: \"%s\" with softmax scores is not supported", method);
  }
  if (grouped && n_group > 1) {
    if (m->n_expert % n_group != 0 || topk_group == 0 || topk_group > n_group)
      return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%s%s: %u experts in %u groups, %u of them chosen", r->prefix,
                       gguf ? "expert_group_count" : "n_group", m->n_expert, n_group, topk_group);
    m->n_group = n_group;
    m->topk_group = topk_group;
    m->group_top = m->gating == RBEE_MOE_SIGMOID ? 2 : 1;
    if (m->group_top > m->n_expert / n_group)
      return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%s%s: groups of %u experts are too small to score by their best 2",
                       r->prefix, gguf ? "expert_group_count" : "n_group", m->n_expert / n_group);
  }

  /* Weights: renormalized when norm_topk_prob (GGUF expert_weights_norm), then times
   * routed_scaling_factor (GGUF expert_weights_scale). DeepSeek-V2's code applies the scale only
   * when it does not renormalize (every V2 checkpoint has one of the two at its neutral value). */
  m->routed_scale = 1.0f;
  RBEE_TRY(rbee_hparams_bool(r, gguf ? "expert_weights_norm" : "norm_topk_prob", &m->norm_topk));
  RBEE_TRY(rbee_hparams_float(r, gguf ? "expert_weights_scale" : "routed_scaling_factor", &m->routed_scale));
  if (v2 && m->norm_topk && m->n_expert_used > 1) m->routed_scale = 1.0f;
  if (!(m->routed_scale > 0.0f))
    return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%s%s: must be > 0", r->prefix,
                     gguf ? "expert_weights_scale" : "routed_scaling_factor");
  return RBEE_OK;
}

/* Query and key sizes. config.json names them; GGUF gives the per-head sizes either as the
 * *_mla keys (newer llama.cpp, whose key_length/value_length then describe the cached latent)
 * or as key_length/value_length themselves (older files). */
static rbee_status read_mla(const rbee_hparams* r, deepseek_model* m) {
  int gguf = r->format == RBEE_FORMAT_GGUF;
  /* An absent (or null) q_lora_rank means no Q LoRA: V2-Lite projects queries directly. */
  RBEE_TRY(rbee_hparams_count(r, gguf ? "attention.q_lora_rank" : "q_lora_rank", &m->q_lora_rank));
  RBEE_TRY(rbee_hparams_u32(r, gguf ? "attention.kv_lora_rank" : "kv_lora_rank", &m->kv_lora_rank));
  if (!gguf) {
    RBEE_TRY(rbee_hparams_u32(r, "qk_nope_head_dim", &m->qk_nope));
    RBEE_TRY(rbee_hparams_u32(r, "qk_rope_head_dim", &m->qk_rope));
    return rbee_hparams_u32(r, "v_head_dim", &m->v_head);
  }
  uint32_t qk = 0;
  int mla = rbee_hparams_has(r, "attention.key_length_mla");
  RBEE_TRY(rbee_hparams_u32(r, "rope.dimension_count", &m->qk_rope));
  RBEE_TRY(rbee_hparams_u32(r, mla ? "attention.key_length_mla" : "attention.key_length", &qk));
  RBEE_TRY(rbee_hparams_u32(r, mla ? "attention.value_length_mla" : "attention.value_length", &m->v_head));
  if (qk <= m->qk_rope)
    return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%sattention.key_length%s: %u is not more than the %u rotary dimensions",
                     r->prefix, mla ? "_mla" : "", qk, m->qk_rope);
  m->qk_nope = qk - m->qk_rope;
  return RBEE_OK;
}

rbee_status deepseek_read_hparams(const rbee_source* src, deepseek_model* m, rbee_error* err) {
  rbee_hparams r;
  RBEE_TRY(rbee_hparams_open(&r, deepseek_host->source, src, err));
  int gguf = r.format == RBEE_FORMAT_GGUF;
  m->names = deepseek_names_for(r.format);
  int v2 = !strcmp(architecture(&r), "deepseek_v2");
  m->norm_eps = 1e-6f;
  m->n_ctx_train = 4096;

  RBEE_TRY(rbee_hparams_u32(&r, gguf ? "embedding_length" : "hidden_size", &m->n_embd));
  RBEE_TRY(rbee_hparams_u32(&r, gguf ? "block_count" : "num_hidden_layers", &m->n_layer));
  /* Multi-token-prediction layers: config.json counts them apart (their tensors sit at layers
   * num_hidden_layers...); llama.cpp counts them in block_count. Either way they are not run. */
  RBEE_TRY(rbee_hparams_count(&r, gguf ? "nextn_predict_layers" : "num_nextn_predict_layers", &m->n_nextn));
  if (gguf) {
    if (m->n_nextn >= m->n_layer)
      return rbee_fail(err, RBEE_ERROR_BAD_MODEL, "%snextn_predict_layers: %u of %u layers", r.prefix, m->n_nextn, m->n_layer);
    m->n_layer -= m->n_nextn;
  }
  RBEE_TRY(rbee_hparams_u32(&r, gguf ? "attention.head_count" : "num_attention_heads", &m->n_head));
  RBEE_TRY(rbee_hparams_count(&r, gguf ? "feed_forward_length" : "intermediate_size", &m->n_ff));
  RBEE_TRY(rbee_hparams_u32(&r, gguf ? "context_length" : "max_position_embeddings", &m->n_ctx_train));
  RBEE_TRY(rbee_hparams_float(&r, gguf ? "attention.layer_norm_rms_epsilon" : "rms_norm_eps", &m->norm_eps));
  RBEE_TRY(read_mla(&r, m));
  if (m->qk_rope % 2 != 0)
    return rbee_fail(err, RBEE_ERROR_BAD_MODEL, "%s%s: %u rotary dimensions are not even", r.prefix,
                     gguf ? "rope.dimension_count" : "qk_rope_head_dim", m->qk_rope);
  RBEE_TRY(read_rope(&r, m));
  RBEE_TRY(read_vocab(&r, m));
  RBEE_TRY(read_experts(&r, m, v2));
  for (uint32_t l = 0; l < m->n_layer; ++l)
    if (!deepseek_sparse(m, l) && m->n_ff == 0)
      return rbee_fail(err, RBEE_ERROR_BAD_MODEL, "%s%s: missing, and layer %u uses the dense MLP", r.prefix,
                       gguf ? "feed_forward_length" : "intermediate_size", l);
  return RBEE_OK;
}

rbee_status deepseek_describe(const deepseek_model* m, rbee_describe_fn emit, void* ctx) {
  static const char* scaling[] = {"none", "linear", "llama3", "yarn"};
  rbee_emitf(emit, ctx, "vocab", "%u", m->n_vocab);
  rbee_emitf(emit, ctx, "hidden", "%u", m->n_embd);
  rbee_emitf(emit, ctx, "layers", "%u", m->n_layer);
  if (m->n_nextn) {
    rbee_emitf(emit, ctx, "mtp_layers", "%u (not run)", m->n_nextn);
  }
  rbee_emitf(emit, ctx, "heads", "%u", m->n_head);
  rbee_emitf(emit, ctx, "attention", "%s", "multi-head latent (absorbed)");
  if (m->q_lora_rank) {
    rbee_emitf(emit, ctx, "q_lora_rank", "%u", m->q_lora_rank);
  } else {
    rbee_emitf(emit, ctx, "q_lora_rank", "%s", "none");
  }
  rbee_emitf(emit, ctx, "kv_lora_rank", "%u", m->kv_lora_rank);
  rbee_emitf(emit, ctx, "qk_nope_head_dim", "%u", m->qk_nope);
  rbee_emitf(emit, ctx, "qk_rope_head_dim", "%u", m->qk_rope);
  rbee_emitf(emit, ctx, "v_head_dim", "%u", m->v_head);
  /* The cache holds the latent and the rotary key once per token and layer, as f16; a plain
   * per-head cache would hold every head's key (dn + dr) and value (dv). */
  rbee_emitf(emit, ctx, "kv_cache_bytes_per_token", "%llu", (unsigned long long)(m->kv_lora_rank + m->qk_rope) * 2ull * m->n_layer);
  rbee_emitf(emit, ctx, "kv_cache_bytes_per_token_mha", "%llu",
       (unsigned long long)m->n_head * (m->qk_nope + m->qk_rope + m->v_head) * 2ull * m->n_layer);
  if (m->n_ff) {
    rbee_emitf(emit, ctx, "ffn", "%u", m->n_ff);
  }
  rbee_emitf(emit, ctx, "context_train", "%u", m->n_ctx_train);
  rbee_emitf(emit, ctx, "norm_eps", "%g", m->norm_eps);
  rbee_emitf(emit, ctx, "rope_theta", "%g", m->rope.theta);
  rbee_emitf(emit, ctx, "rope_order", "%s", m->rope.mode == RBEE_ROPE_NEOX ? "neox (halves)" : "normal (pairs)");
  rbee_emitf(emit, ctx, "rope_scaling", "%s", m->rope.scaling < 4 ? scaling[m->rope.scaling] : "?");
  if (m->rope.scaling != RBEE_ROPE_SCALING_NONE) {
    rbee_emitf(emit, ctx, "rope_factor", "%g", m->rope.factor);
  }
  if (m->rope.scaling == RBEE_ROPE_SCALING_YARN) {
    rbee_emitf(emit, ctx, "rope_original_context", "%u", m->rope.original_max_positions);
    rbee_emitf(emit, ctx, "yarn_beta", "%g/%g", m->rope.beta_fast, m->rope.beta_slow);
    rbee_emitf(emit, ctx, "yarn_attn_factor", "%g", m->rope.attn_factor);
  }
  rbee_emitf(emit, ctx, "attention_scale", "%g", m->attn_scale);
  if (m->n_expert) {
    uint32_t sparse = 0;
    for (uint32_t l = 0; l < m->n_layer; ++l) sparse += deepseek_sparse(m, l);
    rbee_emitf(emit, ctx, "experts", "%u", m->n_expert);
    rbee_emitf(emit, ctx, "experts_used", "%u", m->n_expert_used);
    rbee_emitf(emit, ctx, "expert_ffn", "%u", m->n_ff_exp);
    rbee_emitf(emit, ctx, "shared_experts", "%u", m->n_shared);
    rbee_emitf(emit, ctx, "moe_layers", "%u", sparse);
    rbee_emitf(emit, ctx, "dense_layers", "%u", m->n_layer - sparse);
    rbee_emitf(emit, ctx, "expert_gating", "%s", m->gating == RBEE_MOE_SIGMOID ? "sigmoid" : "softmax");
    if (m->n_group > 1) {
      rbee_emitf(emit, ctx, "expert_groups", "%u (best %u, scored by top %u)", m->n_group, m->topk_group, m->group_top);
    }
    rbee_emitf(emit, ctx, "expert_weights", "%s", m->norm_topk ? "renormalized" : "as scored");
    rbee_emitf(emit, ctx, "expert_scale", "%g", m->routed_scale);
  }
  return RBEE_OK;
}
