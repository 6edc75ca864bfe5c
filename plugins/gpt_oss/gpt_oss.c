/* The gpt-oss family plugin: OpenAI's gpt-oss models (gpt-oss-20b, gpt-oss-120b), from GGUF and
 * Hugging Face folders. Pre-norm attention with biased Q/K/V/O, a learned sink logit per head,
 * sliding-window and full layers alternating, YaRN RoPE on halves; then routed experts: a biased
 * router (softmax over the chosen experts' logits), each expert a clamped SwiGLU with biases.
 *
 * Formats. Hugging Face stores each layer's experts stacked, gate and up interleaved in one
 * projection (outputs 2i and 2i + 1): in float as [experts, in, out], in MXFP4 as released
 * (`*_blocks` and `*_scales`, joined by the host into one MXFP4 tensor) as [experts, out, in].
 * llama.cpp's GGUF stores gate, up and down apart as [experts, out, in]. */
#include <rbee/family/family.h>

#define SWIGLU_ALPHA 1.702f /* transformers' GptOssExperts.alpha, fixed */

typedef struct gpt_oss_model {
  rbee_family_model base;
  rbee_layer_windows windows;
  float swiglu_limit; /* the experts' clamp */
  int experts_in_out;  /* Hugging Face float experts: stored [experts, in, out] (MXFP4 and GGUF: [experts, out, in]) */
} gpt_oss_model;

/* Hugging Face names beyond the standard ones (GGUF's are llama.cpp's standard ones, but for the
 * norm before the experts). */
static const rbee_tensor_name k_names[] = {
    {RBEE_T_FFN_NORM, "blk.%u.post_attention_norm.weight", NULL},
    {RBEE_T_FFN_GATE_INP, NULL, "model.layers.%u.mlp.router.weight"},
    {RBEE_T_FFN_GATE_INP_BIAS, NULL, "model.layers.%u.mlp.router.bias"},
    /* Hugging Face: gate and up interleaved in one projection, stored [experts, in, 2 * ffn]. */
    {RBEE_T_FFN_UP_EXPS, NULL, "model.layers.%u.mlp.experts.gate_up_proj"},
    {RBEE_T_FFN_UP_EXPS_BIAS, NULL, "model.layers.%u.mlp.experts.gate_up_proj_bias"},
    {RBEE_T_FFN_DOWN_EXPS, NULL, "model.layers.%u.mlp.experts.down_proj"},
    {RBEE_T_FFN_DOWN_EXPS_BIAS, NULL, "model.layers.%u.mlp.experts.down_proj_bias"},
};

static const rbee_hparam k_hparams[] = {
    RBEE_HP_COMMON_ROWS,
    RBEE_HP_BASE(RBEE_HP_U32, n_ctx_train, "context_length", "max_position_embeddings", 131072, 0),
    RBEE_HP_BASE(RBEE_HP_U32, n_ff, "expert_feed_forward_length", "intermediate_size", 0, 1),
    RBEE_HP_BASE(RBEE_HP_F32, norm_eps, "attention.layer_norm_rms_epsilon", "rms_norm_eps", 1e-5, 0),
    RBEE_HP_BASE(RBEE_HP_U32, n_expert, "expert_count", "num_local_experts", 0, 1),
    RBEE_HP_BASE(RBEE_HP_U32, n_expert_used, "expert_used_count", "num_experts_per_tok", 0, 1),
    RBEE_HP_BASE(RBEE_HP_F32, rope.theta, NULL, "rope_parameters.rope_theta", 0, 0), /* transformers 5 */
    RBEE_HP(gpt_oss_model, RBEE_HP_F32, swiglu_limit, "swiglu_limit", "swiglu_limit", 7.0, 0),
};

/* transformers' get_mscale: YaRN's default attention factor. */
static float yarn_mscale(float factor) { return factor <= 1.0f ? 1.0f : 0.1f * logf(factor) + 1.0f; }

/* YaRN, which every gpt-oss uses. config.json: "rope_parameters" (transformers 5) or "rope_scaling"
 * with factor, original_max_position_embeddings, beta_fast/slow, truncate (absent: true, as
 * transformers reads it) and attention_factor (absent: mscale(factor)). GGUF: llama.cpp's
 * rope.scaling.* keys, which carry no truncate: gpt-oss's released configs all say false, so the
 * correction range is not rounded (llama.cpp rounds it, and drifts from transformers). */
static rbee_status read_rope(const rbee_hparams* r, gpt_oss_model* m) {
  rbee_rope_params* rope = &m->base.rope;
  const char* type = NULL;
  char key[96];
  rope->beta_fast = 32.0f;
  rope->beta_slow = 1.0f;
  rope->attn_factor = 0.0f;
  if (r->format == RBEE_FORMAT_GGUF) {
    RBEE_TRY(rbee_hparams_string(r, "rope.scaling.type", &type));
    if (type == NULL || strcmp(type, "yarn") != 0)
      return rbee_fail(r->err, RBEE_ERROR_UNSUPPORTED, "%srope.scaling.type: \"%s\" (gpt-oss needs yarn)", r->prefix,
                       type ? type : "absent");
    RBEE_TRY(rbee_hparams_float(r, "rope.scaling.factor", &rope->factor));
    RBEE_TRY(rbee_hparams_u32(r, "rope.scaling.original_context_length", &rope->original_max_positions));
    RBEE_TRY(rbee_hparams_float(r, "rope.scaling.yarn_beta_fast", &rope->beta_fast));
    RBEE_TRY(rbee_hparams_float(r, "rope.scaling.yarn_beta_slow", &rope->beta_slow));
    rope->yarn_no_truncate = 1;
  } else {
    const char* group = rbee_hparams_has(r, "rope_parameters") ? "rope_parameters" : "rope_scaling";
    int truncate = 1;
    snprintf(key, sizeof key, "%s.rope_type", group);
    RBEE_TRY(rbee_hparams_string(r, key, &type));
    if (type == NULL || strcmp(type, "yarn") != 0)
      return rbee_fail(r->err, RBEE_ERROR_UNSUPPORTED, "%s: \"%s\" (gpt-oss needs yarn)", key, type ? type : "absent");
    snprintf(key, sizeof key, "%s.factor", group);
    RBEE_TRY(rbee_hparams_float(r, key, &rope->factor));
    snprintf(key, sizeof key, "%s.original_max_position_embeddings", group);
    RBEE_TRY(rbee_hparams_u32(r, key, &rope->original_max_positions));
    snprintf(key, sizeof key, "%s.beta_fast", group);
    RBEE_TRY(rbee_hparams_float(r, key, &rope->beta_fast));
    snprintf(key, sizeof key, "%s.beta_slow", group);
    RBEE_TRY(rbee_hparams_float(r, key, &rope->beta_slow));
    snprintf(key, sizeof key, "%s.truncate", group);
    RBEE_TRY(rbee_hparams_bool(r, key, &truncate));
    snprintf(key, sizeof key, "%s.attention_factor", group);
    RBEE_TRY(rbee_hparams_float(r, key, &rope->attn_factor));
    rope->yarn_no_truncate = !truncate;
  }
  if (!(rope->factor > 0.0f)) return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%sYaRN factor: must be > 0", r->prefix);
  rope->scaling = RBEE_ROPE_SCALING_YARN;
  if (rope->attn_factor == 0.0f) rope->attn_factor = yarn_mscale(rope->factor);
  return RBEE_OK;
}

/* Which layers slide: config.json's layer_types; GGUF carries none, and llama.cpp slides the even
 * layers (as every released gpt-oss does). The window: sliding_window. */
static rbee_status read_layer_types(const rbee_hparams* r, gpt_oss_model* m) {
  uint32_t n_layer = m->base.n_layer;
  int gguf = r->format == RBEE_FORMAT_GGUF;
  RBEE_TRY(rbee_hparams_u32(r, gguf ? "attention.sliding_window" : "sliding_window", &m->windows.window));
  RBEE_TRY(rbee_layer_windows_init(r, n_layer, &m->windows));
  if (!gguf && rbee_hparams_has(r, "layer_types")) return rbee_layer_windows_read_types(r, n_layer, &m->windows);
  for (uint32_t l = 0; l < n_layer; ++l) m->windows.sliding[l] = l % 2 == 0;
  return RBEE_OK;
}

/* Hugging Face: float experts are [experts, in, out], MXFP4 ones [experts, out, in]. */
static rbee_status read_experts_layout(const rbee_hparams* r, gpt_oss_model* m) {
  char name[RBEE_NAME_MAX];
  rbee_tensor_info info = {.struct_size = sizeof info};
  if (r->format == RBEE_FORMAT_GGUF) return RBEE_OK;
  snprintf(name, sizeof name, rbee_model_tensor_name(&m->base, RBEE_T_FFN_UP_EXPS), 0u);
  if (r->api->tensor_info(r->src, name, &info) != RBEE_OK)
    return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%s: missing (the experts' gate and up projections)", name);
  m->experts_in_out = info.dtype != RBEE_DTYPE_MXFP4;
  return RBEE_OK;
}

static rbee_status read_hparams(const rbee_hparams* r, rbee_family_model* base) {
  gpt_oss_model* m = (gpt_oss_model*)base;
  if (!(m->swiglu_limit > 0.0f)) return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "swiglu_limit: must be > 0");
  RBEE_TRY(read_experts_layout(r, m));
  RBEE_TRY(read_rope(r, m));
  return read_layer_types(r, m);
}

static void release(rbee_family_model* base) { rbee_layer_windows_free(&((gpt_oss_model*)base)->windows); }

static void kv_layout(const rbee_family_model* base, uint32_t layer, rbee_kv_layout* out) {
  out->sliding_window = rbee_layer_window(&((const gpt_oss_model*)base)->windows, layer);
}

static void describe(const rbee_family_model* base, rbee_describe_fn emit, void* ctx) {
  const gpt_oss_model* m = (const gpt_oss_model*)base;
  rbee_layer_windows_describe(&m->windows, base->n_layer, emit, ctx);
  rbee_emitf(emit, ctx, "yarn_truncate", "%s", base->rope.yarn_no_truncate ? "false" : "true");
  rbee_emitf(emit, ctx, "swiglu_limit", "%g", m->swiglu_limit);
  emit(ctx, "attention_sinks", "per head");
}

/* The experts' weights of id in layer l as [experts, out, in]. */
static rbee_tensor experts_of(const rbee_builder* b, rbee_tensor_id id, uint32_t l) {
  const gpt_oss_model* m = (const gpt_oss_model*)b->m;
  char name[RBEE_NAME_MAX];
  if (!m->experts_in_out) return rbee_experts(b, id, l, b->m->n_expert);
  rbee_tensor_file_name(b, id, l, name, sizeof name);
  return b->experts->experts_transposed(b->g, name, b->m->n_expert);
}

/* The chosen experts' clamped SwiGLU units of x -> [n * n_used, ffn]. */
static rbee_tensor expert_units(const rbee_builder* b, rbee_tensor x, uint32_t l, rbee_tensor route) {
  const gpt_oss_model* m = (const gpt_oss_model*)b->m;
  const rbee_graph_experts_api* ex = b->experts;
  uint32_t ff = b->m->n_ff;
  rbee_tensor gate, up;
  if (b->m->format == RBEE_FORMAT_GGUF) {
    gate = ex->moe_linear_bias(b->g, x, experts_of(b, RBEE_T_FFN_GATE_EXPS, l), rbee_weight(b, RBEE_T_FFN_GATE_EXPS_BIAS, l),
                               route);
    up = ex->moe_linear_bias(b->g, x, experts_of(b, RBEE_T_FFN_UP_EXPS, l), rbee_weight(b, RBEE_T_FFN_UP_EXPS_BIAS, l), route);
  } else {
    rbee_tensor gate_up = ex->moe_linear_bias(b->g, x, experts_of(b, RBEE_T_FFN_UP_EXPS, l),
                                              rbee_weight(b, RBEE_T_FFN_UP_EXPS_BIAS, l), route);
    gate = b->api->slice(b->g, gate_up, ff, 0, 1); /* even columns */
    up = b->api->slice(b->g, gate_up, ff, 1, 1);   /* odd columns */
  }
  return ex->clamped_swiglu(b->g, gate, up, SWIGLU_ALPHA, m->swiglu_limit);
}

/* The routed experts of layer l: router with bias, softmax over the chosen logits (softmax over
 * all, renormalized over the chosen: the same), the units, the biased down projections, the sum. */
static rbee_tensor moe_block(const rbee_builder* b, rbee_tensor x, uint32_t l) {
  const rbee_moe_route_params params = {.struct_size = sizeof params, .n_expert = b->m->n_expert,
                                        .n_used = b->m->n_expert_used, .gating = RBEE_MOE_SOFTMAX, .normalize = 1};
  rbee_tensor logits = rbee_linear(b, x, RBEE_T_FFN_GATE_INP, RBEE_T_FFN_GATE_INP_BIAS, l);
  rbee_tensor route = b->moe->moe_route(b->g, logits, RBEE_TENSOR_NONE, &params);
  rbee_tensor h = expert_units(b, x, l, route);
  h = b->experts->moe_linear_bias(b->g, h, experts_of(b, RBEE_T_FFN_DOWN_EXPS, l), rbee_weight(b, RBEE_T_FFN_DOWN_EXPS_BIAS, l),
                                  route);
  return b->moe->moe_combine(b->g, h, route);
}

static void build(const rbee_builder* b) {
  const gpt_oss_model* m = (const gpt_oss_model*)b->m;
  const rbee_norm_params norm = rbee_norm_of(b->m, RBEE_NORM_RMS);
  rbee_attention_spec attn = {.rope = &b->m->rope, .sinks = 1};
  rbee_tensor x = rbee_input_embeddings(b);
  for (uint32_t l = 0; l < b->m->n_layer; ++l) {
    attn.window = rbee_layer_window(&m->windows, l);
    rbee_tensor h = rbee_norm(b, x, RBEE_T_ATTN_NORM, RBEE_T_NONE, l, &norm);
    x = rbee_add(b, x, rbee_attention_block(b, h, l, &attn));
    h = rbee_norm(b, x, RBEE_T_FFN_NORM, RBEE_T_NONE, l, &norm);
    x = rbee_add(b, x, moe_block(b, h, l));
  }
  rbee_output_logits(b, x, &norm, 0);
}

static const rbee_family k_family = {
    .flags = RBEE_FAMILY_USES_MOE | RBEE_FAMILY_USES_EXPERTS | RBEE_FAMILY_OWN_ROPE_SCALING,
    .model_size = sizeof(gpt_oss_model),
    .names = RBEE_NAME_TABLE(k_names),
    RBEE_FAMILY_HPARAMS(k_hparams),
    .read = read_hparams,
    .release = release,
    .kv_layout = kv_layout,
    .describe = describe,
    .build = build,
};

static const char* const k_architectures[] = {"gpt-oss", "gpt_oss", NULL};

RBEE_FAMILY_ENTRY(k_family, "gpt_oss", "0.1.0", "OpenAI gpt-oss (GGUF and Hugging Face safetensors)", k_architectures)
