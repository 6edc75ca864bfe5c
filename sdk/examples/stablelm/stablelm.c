/* An rbee plugin built outside the rbee tree, against the installed SDK only: StableLM (GGUF
 * "stablelm", config.json "stablelm"), from GGUF and Hugging Face folders. Each layer:
 *   sequential (use_parallel_residual false): x += attn(ln1(x)); x += mlp(ln2(x))
 *   parallel   (use_parallel_residual true):  x += attn(ln1(x)) + mlp(ln1(x))
 * LayerNorms with bias, a SwiGLU MLP, RoPE over the first partial_rotary_factor of each head in
 * halves (llama.cpp keeps the Hugging Face order of the Q/K rows), Q/K/V biases when
 * use_qkv_bias, and per-head LayerNorms of Q and K when qk_layernorm (StableLM 2 12B): one tensor
 * a head in Hugging Face folders, stacked [n_head, head_dim] by llama.cpp in GGUF files (a norm
 * with weight_per_group, ABI 2.2). */
#include <rbee/family/family.h>

typedef struct stablelm_model {
  rbee_family_model base;
  int parallel_residual;
  int qkv_bias;
  int qk_layernorm;
  int stacked_head_norms; /* GGUF: each layer's per-head norm weights are one tensor */
} stablelm_model;

/* Every tensor has its standard name in both formats except the per-head Q/K norms, which
 * Hugging Face stores one tensor per head (the second %u); GGUF's stacked ones have the standard
 * ids RBEE_T_ATTN_Q_NORM and RBEE_T_ATTN_K_NORM. */
static const char k_q_head_norm[] = "model.layers.%u.self_attn.q_layernorm.norms.%u.weight";
static const char k_k_head_norm[] = "model.layers.%u.self_attn.k_layernorm.norms.%u.weight";

static const rbee_hparam k_hparams[] = {
    RBEE_HP_COMMON_ROWS,
    RBEE_HP_FFN_ROW,
    RBEE_HP_BASE(RBEE_HP_F32, rope.theta, NULL, "rope_parameters.rope_theta", 0, 0), /* transformers 5 */
    RBEE_HP_BASE(RBEE_HP_F32, norm_eps, "attention.layer_norm_epsilon", "layer_norm_eps", 1e-5, 0),
    RBEE_HP(stablelm_model, RBEE_HP_BOOL, parallel_residual, "use_parallel_residual", "use_parallel_residual", 0, 0),
    RBEE_HP(stablelm_model, RBEE_HP_BOOL, qkv_bias, NULL, "use_qkv_bias", 0, 0),
    RBEE_HP(stablelm_model, RBEE_HP_BOOL, qk_layernorm, NULL, "qk_layernorm", 0, 0),
};

/* config.json's rotated fraction of each head: top level (older configs) or in transformers 5's
 * rope_parameters; 0.25 when absent, as transformers' StableLmConfig. */
static rbee_status read_partial_rotary(const rbee_hparams* r, rbee_family_model* base) {
  const char* nested = "rope_parameters.partial_rotary_factor";
  if (rbee_hparams_has(r, "partial_rotary_factor") || !rbee_hparams_has(r, nested))
    return rbee_hparams_partial_rotary(r, base->head_dim, 0.25, &base->rope.n_rot);
  double fraction = 0;
  if (r->api->get_float(r->src, nested, &fraction) != RBEE_OK || !(fraction > 0.0 && fraction <= 1.0))
    return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%s: expected a number in (0, 1]", nested);
  base->rope.n_rot = (uint32_t)(base->head_dim * fraction);
  return RBEE_OK;
}

/* What the graph does not implement is refused, and a flag the file contradicts is named. */
static rbee_status read_hparams(const rbee_hparams* r, rbee_family_model* base) {
  stablelm_model* m = (stablelm_model*)base;
  if (r->format == RBEE_FORMAT_GGUF) {
    const rbee_host* host = base->host;
    m->qkv_bias = rbee_model_has_tensor(base, r->src, RBEE_T_ATTN_Q_BIAS, 0);
    m->qk_layernorm = m->stacked_head_norms = rbee_model_has_tensor(base, r->src, RBEE_T_ATTN_Q_NORM, 0);
    /* Older hosts read the norm params without weight_per_group. */
    if (m->stacked_head_norms && !RBEE_ABI_AT_LEAST(host->abi_major, host->abi_minor, 2, 2))
      return rbee_fail(r->err, RBEE_ERROR_ABI, "%s: per-head Q/K LayerNorms stacked in one tensor need rbee ABI 2.2 or "
                       "later; this host speaks ABI %u.%u", rbee_model_tensor_name(base, RBEE_T_ATTN_Q_NORM),
                       host->abi_major, host->abi_minor);
    return RBEE_OK;
  }
  const char* act = NULL;
  RBEE_TRY(rbee_hparams_string(r, "hidden_act", &act));
  if (act != NULL && strcmp(act, "silu") != 0)
    return rbee_fail(r->err, RBEE_ERROR_UNSUPPORTED, "hidden_act: \"%s\" is not supported (expected \"silu\")", act);
  if (m->qkv_bias && !rbee_model_has_tensor(base, r->src, RBEE_T_ATTN_Q_BIAS, 0))
    return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "use_qkv_bias is true but %s is missing",
                     rbee_model_tensor_name(base, RBEE_T_ATTN_Q_BIAS));
  return read_partial_rotary(r, base);
}

static void describe(const rbee_family_model* base, rbee_describe_fn emit, void* ctx) {
  const stablelm_model* m = (const stablelm_model*)base;
  rbee_emitf(emit, ctx, "block", "%s", m->parallel_residual ? "parallel attention + MLP, one LayerNorm"
                                                            : "sequential attention then MLP");
  rbee_emitf(emit, ctx, "qkv_bias", "%s", m->qkv_bias ? "yes" : "no");
  rbee_emitf(emit, ctx, "qk_layernorm", "%s", m->qk_layernorm ? "per head" : "no");
}

/* LayerNorm of each head of x [n, n_heads * head_dim] with its own weight (no bias), one tensor a
 * head named by `pattern` (Hugging Face). */
static rbee_tensor per_head_norm(const rbee_builder* b, rbee_tensor x, const char* pattern, uint32_t l,
                                 uint32_t n_heads, const rbee_norm_params* p) {
  uint32_t d = b->m->head_dim;
  rbee_tensor out = RBEE_TENSOR_NONE;
  for (uint32_t h = 0; h < n_heads; ++h) {
    char name[RBEE_NAME_MAX];
    snprintf(name, sizeof name, pattern, l, h);
    rbee_tensor y = b->api->norm(b->g, b->api->slice(b->g, x, 1, h * d, d), b->api->weight(b->g, name),
                                 RBEE_TENSOR_NONE, p);
    out = h == 0 ? y : b->heads->concat(b->g, out, y, 1);
  }
  return out;
}

/* Self-attention of layer l: the helper's block, with GGUF's stacked per-head norms as its Q/K
 * norms (each head its own weight); Hugging Face's per-head tensors are normed here. */
static rbee_tensor attention(const rbee_builder* b, rbee_tensor x, uint32_t l, const rbee_norm_params* norm) {
  const rbee_family_model* m = b->m;
  const stablelm_model* sm = (const stablelm_model*)m;
  rbee_norm_params per_head = *norm;
  per_head.group_size = m->head_dim;
  per_head.weight_per_group = 1;
  const rbee_attention_spec spec = {.rope = &m->rope, .qk_norm = sm->stacked_head_norms ? &per_head : NULL};
  if (!sm->qk_layernorm || sm->stacked_head_norms) return rbee_attention_block(b, x, l, &spec);
  rbee_tensor q, k, v;
  rbee_project_qkv(b, x, l, 1, &q, &k, &v);
  q = per_head_norm(b, q, k_q_head_norm, l, m->n_head, norm);
  k = per_head_norm(b, k, k_k_head_norm, l, m->n_head_kv, norm);
  const rbee_rope_params rope_k = rbee_rope_for_keys(m, &m->rope);
  q = b->api->rope(b->g, q, RBEE_TENSOR_NONE, &m->rope);
  k = b->api->rope(b->g, k, RBEE_TENSOR_NONE, &rope_k);
  const rbee_attention_params p = {.struct_size = sizeof p, .layer = l, .n_heads = m->n_head, .n_kv_heads = m->n_head_kv,
                                   .head_dim_k = m->head_dim, .head_dim_v = m->head_dim,
                                   .scale = 1.0f / sqrtf((float)m->head_dim)};
  return rbee_linear(b, b->api->attention(b->g, q, k, v, &p), RBEE_T_ATTN_OUT, RBEE_T_ATTN_OUT_BIAS, l);
}

static void build(const rbee_builder* b) {
  const stablelm_model* m = (const stablelm_model*)b->m;
  const rbee_norm_params norm = rbee_norm_of(b->m, RBEE_NORM_LAYER);
  rbee_tensor x = rbee_input_embeddings(b);
  for (uint32_t l = 0; l < b->m->n_layer; ++l) {
    rbee_tensor h = rbee_norm(b, x, RBEE_T_ATTN_NORM, RBEE_T_ATTN_NORM_BIAS, l, &norm);
    rbee_tensor attn = attention(b, h, l, &norm);
    if (!m->parallel_residual) {
      x = rbee_add(b, x, attn);
      h = rbee_norm(b, x, RBEE_T_FFN_NORM, RBEE_T_FFN_NORM_BIAS, l, &norm);
    }
    rbee_tensor mlp = rbee_gated_ffn(b, h, l, RBEE_T_FFN_GATE, RBEE_T_FFN_UP, RBEE_T_FFN_DOWN, RBEE_UNARY_SILU);
    x = rbee_add(b, x, m->parallel_residual ? rbee_add(b, attn, mlp) : mlp);
  }
  rbee_output_logits(b, x, &norm, 0);
}

static const rbee_family k_family = {
    .flags = RBEE_FAMILY_USES_HEADS, /* concat, for the per-head norms */
    .model_size = sizeof(stablelm_model),
    RBEE_FAMILY_HPARAMS(k_hparams),
    .read = read_hparams,
    .describe = describe,
    .build = build,
};

static const char* const k_architectures[] = {"stablelm", NULL};

RBEE_FAMILY_ENTRY(k_family, "stablelm", "0.1.0", "StableLM (GGUF and Hugging Face safetensors), an out-of-tree example",
                  k_architectures)
