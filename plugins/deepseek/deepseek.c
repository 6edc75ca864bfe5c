/* The deepseek family plugin: DeepSeek-V2 (and V2-Lite), DeepSeek-V3/R1 and Kimi K2, from GGUF
 * (architecture deepseek2) and Hugging Face folders (deepseek_v2, deepseek_v3, kimi_k2).
 *
 * Pre-norm multi-head latent attention in its absorbed form, then a SwiGLU MLP (leading dense layers)
 * or routed SwiGLU experts plus shared experts. Per head h, with the latent c = rmsnorm(kv_a(x)[:r])
 * of every position and the rotary key k_pe = rope(kv_a(x)[r:]) shared by all heads:
 *   score = q_nope_h . (W_k,h c) + q_pe_h . k_pe = (W_k,h^T q_nope_h) . c + q_pe_h . k_pe
 *   out_h = W_v,h (sum_p softmax(score)_p c_p)
 * so the cache keeps [c, k_pe] (r + dr per token and layer, values = its first r columns), the
 * queries are [W_k,h^T q_nope_h, q_pe_h] and every head's value projection comes after. */
#include <rbee/family/family.h>

typedef struct deepseek_model {
  /* n_layer without multi-token-prediction layers; n_head_kv 1 (the latent is shared by every
   * head) and head_dim dn + dr, the query and key size of a head before absorption. */
  rbee_family_model base;
  uint32_t n_nextn; /* multi-token-prediction layers the file declares (not run) */
  /* Multi-head latent attention */
  uint32_t q_lora_rank;  /* 0: no Q LoRA (q_proj) */
  uint32_t kv_lora_rank; /* r */
  uint32_t qk_nope;      /* dn: per-head key/query part without RoPE */
  uint32_t qk_rope;      /* dr: per-head rotary part (the rotary key is shared by all heads) */
  uint32_t v_head;       /* dv */
  float attn_scale;      /* (dn + dr)^-0.5, times YaRN's mscale(mscale_all_dim)^2 */
  float mscale;          /* YaRN settings (0: absent) */
  float mscale_all_dim;
  /* Experts (base.n_expert 0: every layer dense) */
  uint32_t n_dense_lead; /* first_k_dense_replace: leading dense layers */
  uint32_t moe_freq;     /* moe_layer_freq: layer l >= n_dense_lead is sparse when l % moe_freq == 0 */
  uint32_t n_ff_exp;
  uint32_t n_shared;    /* shared experts, fused into one SwiGLU of n_shared * n_ff_exp */
  uint32_t gating_func; /* GGUF expert_gating_func: 0 (llama.cpp's default) or 1 softmax, 2 sigmoid */
  int norm_topk;
  rbee_moe_route_params route;
} deepseek_model;

/* Only the shared experts' Hugging Face names differ from the standard ones. */
static const rbee_tensor_name k_names[] = {
    {RBEE_T_FFN_GATE_SHEXP, NULL, "model.layers.%u.mlp.shared_experts.gate_proj.weight"},
    {RBEE_T_FFN_UP_SHEXP, NULL, "model.layers.%u.mlp.shared_experts.up_proj.weight"},
    {RBEE_T_FFN_DOWN_SHEXP, NULL, "model.layers.%u.mlp.shared_experts.down_proj.weight"},
};

#define DS_HP(kind, field, gguf, hf, default_value, required) \
  RBEE_HP(deepseek_model, kind, field, gguf, hf, default_value, required)

/* The expert rows are read for dense models too; read() requires what the experts need. */
static const rbee_hparam k_hparams[] = {
    RBEE_HP_COMMON_ROWS,
    RBEE_HP_BASE(RBEE_HP_COUNT, n_ff, "feed_forward_length", "intermediate_size", 0, 0),
    RBEE_HP_BASE(RBEE_HP_F32, norm_eps, "attention.layer_norm_rms_epsilon", "rms_norm_eps", 1e-6, 0),
    /* Multi-token-prediction layers: config.json counts them apart (their tensors sit at layers
     * num_hidden_layers...); llama.cpp counts them in block_count. Either way they are not run. */
    DS_HP(RBEE_HP_COUNT, n_nextn, "nextn_predict_layers", "num_nextn_predict_layers", 0, 0),
    /* An absent (or null) q_lora_rank means no Q LoRA: V2-Lite projects queries directly. */
    DS_HP(RBEE_HP_COUNT, q_lora_rank, "attention.q_lora_rank", "q_lora_rank", 0, 0),
    DS_HP(RBEE_HP_U32, kv_lora_rank, "attention.kv_lora_rank", "kv_lora_rank", 0, 1),
    DS_HP(RBEE_HP_U32, qk_rope, "rope.dimension_count", "qk_rope_head_dim", 0, 1),
    DS_HP(RBEE_HP_U32, qk_nope, NULL, "qk_nope_head_dim", 0, 1), /* GGUF: read_head_sizes */
    DS_HP(RBEE_HP_U32, v_head, NULL, "v_head_dim", 0, 1),
    RBEE_HP_EXPERT_ROWS("n_routed_experts"),
    DS_HP(RBEE_HP_COUNT, n_ff_exp, "expert_feed_forward_length", "moe_intermediate_size", 0, 0),
    DS_HP(RBEE_HP_COUNT, n_shared, "expert_shared_count", "n_shared_experts", 0, 0),
    DS_HP(RBEE_HP_COUNT, n_dense_lead, "leading_dense_block_count", "first_k_dense_replace", 0, 0),
    DS_HP(RBEE_HP_U32, moe_freq, NULL, "moe_layer_freq", 1, 0),
    DS_HP(RBEE_HP_COUNT, gating_func, "expert_gating_func", NULL, 0, 0),
    DS_HP(RBEE_HP_COUNT, route.n_group, "expert_group_count", "n_group", 0, 0),
    DS_HP(RBEE_HP_COUNT, route.topk_group, "expert_group_used_count", "topk_group", 0, 0),
    /* Weights: renormalized when norm_topk_prob, then times routed_scaling_factor. */
    DS_HP(RBEE_HP_BOOL, norm_topk, "expert_weights_norm", "norm_topk_prob", 0, 0),
    DS_HP(RBEE_HP_F32, route.scale, "expert_weights_scale", "routed_scaling_factor", 1, 0),
};

/* 1 when layer l uses routed experts. */
static int sparse(const deepseek_model* m, uint32_t l) {
  return m->base.n_expert != 0 && l >= m->n_dense_lead && l % m->moe_freq == 0;
}

/* The key of the model's format. */
static const char* key(const rbee_hparams* r, const char* gguf, const char* hf) {
  return r->format == RBEE_FORMAT_GGUF ? gguf : hf;
}

/* A value the table reads as optional but this model needs: an error naming the key unless set. */
static rbee_status require(const rbee_hparams* r, const char* gguf, const char* hf, uint32_t* v) {
  return *v != 0 ? RBEE_OK : rbee_hparams_u32(r, key(r, gguf, hf), v);
}

/* YaRN's magnitude scale as DeepSeek and transformers compute it. */
static float yarn_get_mscale(float factor, float mscale) {
  return factor <= 1.0f ? 1.0f : 0.1f * mscale * logf(factor) + 1.0f;
}

/* GGUF gives the per-head query and value sizes either as the *_mla keys (newer llama.cpp, whose
 * key_length/value_length then describe the cached latent) or as key_length/value_length
 * themselves (older files). */
static rbee_status read_head_sizes(const rbee_hparams* r, deepseek_model* m) {
  uint32_t qk = 0;
  int mla = rbee_hparams_has(r, "attention.key_length_mla");
  RBEE_TRY(rbee_hparams_u32(r, mla ? "attention.key_length_mla" : "attention.key_length", &qk));
  RBEE_TRY(rbee_hparams_u32(r, mla ? "attention.value_length_mla" : "attention.value_length", &m->v_head));
  if (qk <= m->qk_rope)
    return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%sattention.key_length%s: %u is not more than the %u rotary dimensions",
                     r->prefix, mla ? "_mla" : "", qk, m->qk_rope);
  m->qk_nope = qk - m->qk_rope;
  return RBEE_OK;
}

/* YaRN (every DeepSeek checkpoint) as transformers computes it: cos and sin times
 * mscale(factor, mscale) / mscale(factor, mscale_all_dim) (mscale(factor) when either is missing,
 * or config's attention_factor), and the softmax scale times mscale(factor, mscale_all_dim)^2 when
 * mscale_all_dim is set. GGUF carries only yarn_log_multiplier = 0.1 * mscale_all_dim and no
 * mscale: llama.cpp's deepseek2 leaves cos and sin unscaled (the two mscales taken equal, as in
 * every released config) and scales the softmax by (1 + yarn_log_multiplier * ln(factor))^2; so
 * does this. */
static rbee_status read_yarn(const rbee_hparams* r, deepseek_model* m) {
  rbee_rope_params* rope = &m->base.rope;
  rope->scaling = RBEE_ROPE_SCALING_YARN;
  rope->beta_fast = 32.0f;
  rope->beta_slow = 1.0f;
  rope->original_max_positions = m->base.n_ctx_train;
  if (r->format == RBEE_FORMAT_GGUF) {
    float log_mul = 0.0f;
    RBEE_TRY(rbee_hparams_float(r, "rope.scaling.factor", &rope->factor));
    RBEE_TRY(rbee_hparams_u32(r, "rope.scaling.original_context_length", &rope->original_max_positions));
    RBEE_TRY(rbee_hparams_float(r, "rope.scaling.yarn_beta_fast", &rope->beta_fast));
    RBEE_TRY(rbee_hparams_float(r, "rope.scaling.yarn_beta_slow", &rope->beta_slow));
    RBEE_TRY(rbee_hparams_float(r, "rope.scaling.yarn_log_multiplier", &log_mul));
    m->mscale_all_dim = log_mul / 0.1f;
    m->mscale = m->mscale_all_dim;
    rope->attn_factor = 1.0f;
  } else {
    float attention_factor = 0.0f;
    RBEE_TRY(rbee_hparams_float(r, "rope_scaling.factor", &rope->factor));
    RBEE_TRY(rbee_hparams_u32(r, "rope_scaling.original_max_position_embeddings", &rope->original_max_positions));
    RBEE_TRY(rbee_hparams_float(r, "rope_scaling.beta_fast", &rope->beta_fast));
    RBEE_TRY(rbee_hparams_float(r, "rope_scaling.beta_slow", &rope->beta_slow));
    RBEE_TRY(rbee_hparams_float(r, "rope_scaling.mscale", &m->mscale));
    RBEE_TRY(rbee_hparams_float(r, "rope_scaling.mscale_all_dim", &m->mscale_all_dim));
    RBEE_TRY(rbee_hparams_float(r, "rope_scaling.attention_factor", &attention_factor));
    if (attention_factor > 0.0f)
      rope->attn_factor = attention_factor;
    else if (m->mscale != 0.0f && m->mscale_all_dim != 0.0f)
      rope->attn_factor = yarn_get_mscale(rope->factor, m->mscale) / yarn_get_mscale(rope->factor, m->mscale_all_dim);
    else
      rope->attn_factor = yarn_get_mscale(rope->factor, 1.0f);
  }
  if (!(rope->factor > 0.0f))
    return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%s%s: must be > 0", r->prefix,
                     key(r, "rope.scaling.factor", "rope_scaling.factor"));
  if (m->mscale_all_dim != 0.0f) {
    float s = yarn_get_mscale(rope->factor, m->mscale_all_dim);
    m->attn_scale *= s * s;
  }
  return RBEE_OK;
}

/* RoPE of the rotary parts (H heads of dr) and the attention scale. */
static rbee_status read_rope(const rbee_hparams* r, deepseek_model* m) {
  int gguf = r->format == RBEE_FORMAT_GGUF;
  const char* type = NULL;
  m->attn_scale = 1.0f / sqrtf((float)(m->qk_nope + m->qk_rope));
  RBEE_TRY(rbee_hparams_string(r, gguf ? "rope.scaling.type" : "rope_scaling.rope_type", &type));
  if (!gguf && type == NULL) RBEE_TRY(rbee_hparams_string(r, "rope_scaling.type", &type));
  RBEE_TRY(type != NULL && !strcmp(type, "yarn") ? read_yarn(r, m) : rbee_hparams_rope_scaling(r, &m->base.rope));
  /* Adjacent pairs in both formats: DeepSeek-V2's complex view and V3's rope_interleave both
   * rotate (x0, x1), (x2, x3)...; a V3 config with rope_interleave false rotates halves. */
  int interleave = 1;
  if (!gguf) RBEE_TRY(rbee_hparams_bool(r, "rope_interleave", &interleave));
  m->base.rope.mode = interleave ? RBEE_ROPE_NORMAL : RBEE_ROPE_NEOX;
  m->base.rope.head_dim = m->base.rope.n_rot = m->qk_rope;
  return RBEE_OK;
}

/* Routed experts: which scores, which groups, which weights. */
static rbee_status read_experts(const rbee_hparams* r, deepseek_model* m) {
  int gguf = r->format == RBEE_FORMAT_GGUF;
  rbee_moe_route_params* p = &m->route;
  RBEE_TRY(require(r, "expert_used_count", "num_experts_per_tok", &m->base.n_expert_used));
  RBEE_TRY(require(r, "expert_feed_forward_length", "moe_intermediate_size", &m->n_ff_exp));
  if (m->base.n_expert_used > m->base.n_expert || m->base.n_expert_used > 32)
    return rbee_fail(r->err, RBEE_ERROR_UNSUPPORTED, "%s%s: %u experts per token, but the model has %u (and at most 32 are supported)",
                     r->prefix, key(r, "expert_used_count", "num_experts_per_tok"), m->base.n_expert_used, m->base.n_expert);
  /* Scores: V2 softmax, V3/R1/Kimi sigmoid (config.json's scoring_func, GGUF's
   * expert_gating_func 1 softmax / 2 sigmoid; llama.cpp's default is softmax). */
  const char* arch = "";
  r->api->get_string(r->src, gguf ? "general.architecture" : "model_type", &arch); /* checked by the host */
  p->gating = !strcmp(arch, "deepseek_v2") || gguf ? RBEE_MOE_SOFTMAX : RBEE_MOE_SIGMOID;
  if (gguf) {
    if (m->gating_func == 2) p->gating = RBEE_MOE_SIGMOID;
    else if (m->gating_func > 2)
      return rbee_fail(r->err, RBEE_ERROR_UNSUPPORTED, "%sexpert_gating_func: %u is not supported", r->prefix, m->gating_func);
  } else {
    const char* scoring = NULL;
    RBEE_TRY(rbee_hparams_string(r, "scoring_func", &scoring));
    if (scoring && !strcmp(scoring, "softmax")) p->gating = RBEE_MOE_SOFTMAX;
    else if (scoring && !strcmp(scoring, "sigmoid")) p->gating = RBEE_MOE_SIGMOID;
    else if (scoring)
      return rbee_fail(r->err, RBEE_ERROR_UNSUPPORTED, "scoring_func: \"%s\" is not supported", scoring);
  }
  /* Group-limited routing. V3 (sigmoid, noaux_tc) always: a group scores the sum of its 2 best.
   * V2: only with topk_method group_limited_greedy, a group scoring its best; greedy has none.
   * GGUF keeps no method: groups whenever it lists more than one, scored by the gating's rule. */
  int grouped = 1;
  const char* groups = key(r, "expert_group_count", "n_group");
  if (!gguf && p->gating == RBEE_MOE_SOFTMAX) {
    const char* method = NULL;
    RBEE_TRY(rbee_hparams_string(r, "topk_method", &method));
    if (method == NULL || !strcmp(method, "greedy") || !strcmp(method, "gready")) grouped = 0;
    else if (strcmp(method, "group_limited_greedy") != 0)
      return rbee_fail(r->err, RBEE_ERROR_UNSUPPORTED, "topk_method: \"%s\" with softmax scores is not supported", method);
  }
  if (grouped && p->n_group > 1) {
    if (m->base.n_expert % p->n_group != 0 || p->topk_group == 0 || p->topk_group > p->n_group)
      return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%s%s: %u experts in %u groups, %u of them chosen", r->prefix, groups,
                       m->base.n_expert, p->n_group, p->topk_group);
    p->group_top = p->gating == RBEE_MOE_SIGMOID ? 2 : 1;
    if (p->group_top > m->base.n_expert / p->n_group)
      return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%s%s: groups of %u experts are too small to score by their best 2",
                       r->prefix, groups, m->base.n_expert / p->n_group);
  } else {
    p->n_group = p->topk_group = 0;
  }
  /* DeepSeek-V2's code applies the scale only when it does not renormalize (every V2 checkpoint
   * has one of the two at its neutral value). */
  if (!strcmp(arch, "deepseek_v2") && m->norm_topk && m->base.n_expert_used > 1) p->scale = 1.0f;
  if (!(p->scale > 0.0f))
    return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%s%s: must be > 0", r->prefix,
                     key(r, "expert_weights_scale", "routed_scaling_factor"));
  p->struct_size = sizeof *p;
  p->n_expert = m->base.n_expert;
  p->n_used = m->base.n_expert_used;
  p->normalize = (uint32_t)m->norm_topk;
  return RBEE_OK;
}

static rbee_status read_hparams(const rbee_hparams* r, rbee_family_model* base) {
  deepseek_model* m = (deepseek_model*)base;
  int gguf = r->format == RBEE_FORMAT_GGUF;
  if (gguf) {
    if (m->n_nextn >= base->n_layer)
      return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%snextn_predict_layers: %u of %u layers", r->prefix, m->n_nextn,
                       base->n_layer);
    base->n_layer -= m->n_nextn;
    RBEE_TRY(read_head_sizes(r, m));
  }
  if (m->qk_rope % 2 != 0)
    return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%s%s: %u rotary dimensions are not even", r->prefix,
                     key(r, "rope.dimension_count", "qk_rope_head_dim"), m->qk_rope);
  base->n_head_kv = 1;
  base->head_dim = m->qk_nope + m->qk_rope;
  RBEE_TRY(read_rope(r, m));
  if (m->moe_freq == 0) m->moe_freq = 1; /* GGUF has no moe_layer_freq */
  if (base->n_expert != 0) RBEE_TRY(read_experts(r, m));
  for (uint32_t l = 0; l < base->n_layer; ++l)
    if (!sparse(m, l) && base->n_ff == 0)
      return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%s%s: missing, and layer %u uses the dense MLP", r->prefix,
                       key(r, "feed_forward_length", "intermediate_size"), l);
  return RBEE_OK;
}

/* One cached row per token: the latent (r) and the shared rotary key (dr); the values are the
 * latent, read from the keys. */
static void kv_layout(const rbee_family_model* base, uint32_t layer, rbee_kv_layout* out) {
  const deepseek_model* m = (const deepseek_model*)base;
  (void)layer;
  out->n_kv_heads = 1;
  out->head_dim_k = m->kv_lora_rank + m->qk_rope;
  out->head_dim_v = m->kv_lora_rank;
  out->values_in_keys = 1;
}

static void describe(const rbee_family_model* base, rbee_describe_fn emit, void* ctx) {
  const deepseek_model* m = (const deepseek_model*)base;
  const rbee_rope_params* rope = &base->rope;
  if (m->n_nextn) rbee_emitf(emit, ctx, "mtp_layers", "%u (not run)", m->n_nextn);
  rbee_emitf(emit, ctx, "attention", "%s", "multi-head latent (absorbed)");
  if (m->q_lora_rank)
    rbee_emitf(emit, ctx, "q_lora_rank", "%u", m->q_lora_rank);
  else
    rbee_emitf(emit, ctx, "q_lora_rank", "%s", "none");
  rbee_emitf(emit, ctx, "kv_lora_rank", "%u", m->kv_lora_rank);
  rbee_emitf(emit, ctx, "qk_nope_head_dim", "%u", m->qk_nope);
  rbee_emitf(emit, ctx, "qk_rope_head_dim", "%u", m->qk_rope);
  rbee_emitf(emit, ctx, "v_head_dim", "%u", m->v_head);
  /* The cache holds the latent and the rotary key once per token and layer, as f16; a plain
   * per-head cache would hold every head's key (dn + dr) and value (dv). */
  rbee_emitf(emit, ctx, "kv_cache_bytes_per_token", "%llu",
             (unsigned long long)(m->kv_lora_rank + m->qk_rope) * 2ull * base->n_layer);
  rbee_emitf(emit, ctx, "kv_cache_bytes_per_token_mha", "%llu",
             (unsigned long long)base->n_head * (m->qk_nope + m->qk_rope + m->v_head) * 2ull * base->n_layer);
  if (rope->scaling == RBEE_ROPE_SCALING_YARN) {
    rbee_emitf(emit, ctx, "rope_original_context", "%u", rope->original_max_positions);
    rbee_emitf(emit, ctx, "yarn_beta", "%g/%g", rope->beta_fast, rope->beta_slow);
    rbee_emitf(emit, ctx, "yarn_attn_factor", "%g", rope->attn_factor);
  }
  rbee_emitf(emit, ctx, "attention_scale", "%g", m->attn_scale);
  if (base->n_expert == 0) return;
  uint32_t n_sparse = 0;
  for (uint32_t l = 0; l < base->n_layer; ++l) n_sparse += sparse(m, l);
  rbee_emitf(emit, ctx, "expert_ffn", "%u", m->n_ff_exp);
  rbee_emitf(emit, ctx, "shared_experts", "%u", m->n_shared);
  rbee_emitf(emit, ctx, "moe_layers", "%u", n_sparse);
  rbee_emitf(emit, ctx, "dense_layers", "%u", base->n_layer - n_sparse);
  rbee_emitf(emit, ctx, "expert_gating", "%s", m->route.gating == RBEE_MOE_SIGMOID ? "sigmoid" : "softmax");
  if (m->route.n_group > 1)
    rbee_emitf(emit, ctx, "expert_groups", "%u (best %u, scored by top %u)", m->route.n_group, m->route.topk_group,
               m->route.group_top);
  rbee_emitf(emit, ctx, "expert_weights", "%s", m->norm_topk ? "renormalized" : "as scored");
  rbee_emitf(emit, ctx, "expert_scale", "%g", m->route.scale);
}

/* Every head's key part [H, r, dn] (W_k,h^T: the query's nope part to latent space) and value
 * part [H, dv, r] (latent to the head's value). GGUF files of newer llama.cpp store them split
 * as 3-D tensors; safetensors and older GGUF keep kv_b_proj [H * (dn + dv), r]. */
static void absorbed_weights(const rbee_builder* b, uint32_t l, rbee_tensor* k_b, rbee_tensor* v_b) {
  const deepseek_model* m = (const deepseek_model*)b->m;
  const uint32_t H = b->m->n_head;
  char name[RBEE_NAME_MAX];
  if (rbee_has_weight(b, RBEE_T_ATTN_K_B, l)) {
    *k_b = rbee_experts(b, RBEE_T_ATTN_K_B, l, H);
    *v_b = rbee_experts(b, RBEE_T_ATTN_V_B, l, H);
    return;
  }
  rbee_tensor_file_name(b, RBEE_T_ATTN_KV_B, l, name, sizeof name);
  *k_b = b->heads->head_weights(b->g, name, H, 0, m->qk_nope, 1);
  *v_b = b->heads->head_weights(b->g, name, H, m->qk_nope, m->v_head, 0);
}

static rbee_tensor attention(const rbee_builder* b, rbee_tensor x, uint32_t l, const rbee_norm_params* norm) {
  const deepseek_model* m = (const deepseek_model*)b->m;
  const rbee_graph_api* api = b->api;
  const uint32_t H = b->m->n_head, dn = m->qk_nope, dr = m->qk_rope, r = m->kv_lora_rank;
  rbee_tensor q;
  if (m->q_lora_rank) {
    q = rbee_linear(b, x, RBEE_T_ATTN_Q_A, RBEE_T_NONE, l);
    q = rbee_norm(b, q, RBEE_T_ATTN_Q_A_NORM, RBEE_T_NONE, l, norm);
    q = rbee_linear(b, q, RBEE_T_ATTN_Q_B, RBEE_T_NONE, l);
  } else {
    q = rbee_linear(b, x, RBEE_T_ATTN_Q, RBEE_T_NONE, l);
  }
  rbee_tensor q_nope = api->slice(b->g, q, H, 0, dn);
  rbee_tensor q_pe = api->rope(b->g, api->slice(b->g, q, H, dn, dr), RBEE_TENSOR_NONE, &b->m->rope);
  rbee_tensor kv = rbee_linear(b, x, RBEE_T_ATTN_KV_A_MQA, RBEE_T_NONE, l);
  rbee_tensor latent = rbee_norm(b, api->slice(b->g, kv, 1, 0, r), RBEE_T_ATTN_KV_A_NORM, RBEE_T_NONE, l, norm);
  rbee_rope_params rope_k = rbee_rope_for_keys(b->m, &b->m->rope); /* one head: n_head_kv is 1 */
  rbee_tensor k_pe = api->rope(b->g, api->slice(b->g, kv, 1, r, dr), RBEE_TENSOR_NONE, &rope_k);
  rbee_tensor k_b, v_b;
  absorbed_weights(b, l, &k_b, &v_b);
  rbee_tensor q_full = b->heads->concat(b->g, b->heads->head_linear(b->g, q_nope, k_b), q_pe, H); /* [n, H * (r + dr)] */
  rbee_tensor k_full = b->heads->concat(b->g, latent, k_pe, 1);                                    /* [n, r + dr] */
  rbee_attention_params p = {.struct_size = sizeof p, .layer = l, .n_heads = H, .n_kv_heads = 1, .head_dim_k = r + dr,
                             .head_dim_v = r, .scale = m->attn_scale, .values_in_keys = 1};
  rbee_tensor o = api->attention(b->g, q_full, k_full, RBEE_TENSOR_NONE, &p); /* [n, H * r] */
  o = b->heads->head_linear(b->g, o, v_b);                                     /* [n, H * dv] */
  return rbee_linear(b, o, RBEE_T_ATTN_OUT, RBEE_T_NONE, l);
}

/* Routed experts (softmax or sigmoid scores, V3's correction bias for choosing only, group-limited
 * choice, renormalized and scaled weights) plus the shared experts every token goes through. */
static rbee_tensor moe(const rbee_builder* b, rbee_tensor x, uint32_t l) {
  const deepseek_model* m = (const deepseek_model*)b->m;
  rbee_tensor y = rbee_moe_ffn(b, x, l, &m->route, RBEE_UNARY_SILU);
  if (m->n_shared == 0) return y;
  return rbee_add(b, y, rbee_gated_ffn(b, x, l, RBEE_T_FFN_GATE_SHEXP, RBEE_T_FFN_UP_SHEXP, RBEE_T_FFN_DOWN_SHEXP, RBEE_UNARY_SILU));
}

static void build(const rbee_builder* b) {
  const deepseek_model* m = (const deepseek_model*)b->m;
  const rbee_norm_params norm = rbee_norm_of(b->m, RBEE_NORM_RMS);
  rbee_tensor x = rbee_input_embeddings(b);
  for (uint32_t l = 0; l < b->m->n_layer; ++l) {
    rbee_tensor h = rbee_norm(b, x, RBEE_T_ATTN_NORM, RBEE_T_NONE, l, &norm);
    x = rbee_add(b, x, attention(b, h, l, &norm));
    h = rbee_norm(b, x, RBEE_T_FFN_NORM, RBEE_T_NONE, l, &norm);
    x = rbee_add(b, x, sparse(m, l) ? moe(b, h, l)
                                    : rbee_gated_ffn(b, h, l, RBEE_T_FFN_GATE, RBEE_T_FFN_UP, RBEE_T_FFN_DOWN, RBEE_UNARY_SILU));
  }
  rbee_output_logits(b, x, &norm, 0);
}

static const rbee_family k_family = {
    .flags = RBEE_FAMILY_USES_MOE | RBEE_FAMILY_USES_HEADS | RBEE_FAMILY_OWN_ROPE_SCALING,
    .model_size = sizeof(deepseek_model), .names = RBEE_NAME_TABLE(k_names),
    RBEE_FAMILY_HPARAMS(k_hparams),
    .read = read_hparams, .kv_layout = kv_layout, .describe = describe, .build = build,
};

static const char* const k_architectures[] = {"deepseek2", "deepseek_v2", "deepseek_v3", "kimi_k2", NULL};

RBEE_FAMILY_ENTRY(k_family, "deepseek", "0.2.0",
                  "DeepSeek-V2, DeepSeek-V3/R1 and Kimi K2: multi-head latent attention and experts (GGUF and Hugging Face safetensors)",
                  k_architectures)
