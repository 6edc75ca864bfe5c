/* The falcon family plugin: Falcon (GGUF and config.json "falcon"), the 7B-style decoder (one
 * input LayerNorm, multi-query) and the new decoder architecture (40B/180B style: ln_attn and
 * ln_mlp, grouped KV heads), from GGUF and Hugging Face folders. Parallel attention and MLP on one
 * LayerNorm or two, or sequential (config.json parallel_attn false); a fused qkv projection (whole
 * or grouped per KV head), NEOX RoPE over whole heads, a dense_h_to_4h -> GELU -> dense_4h_to_h
 * MLP, biases when the file has them. */
#include <rbee/family/family.h>

/* ATTN_NORM is the norm the MLP reads (and, with one norm, the attention too): llama.cpp's
 * attn_norm, ln_mlp or the only input_layernorm; ATTN_NORM_2 is the attention's own (ln_attn,
 * llama.cpp's attn_norm_2); FFN_NORM the MLP's after a sequential attention. Biases exist only
 * when config.json's bias is true. The first two rows hold for two norms only: k_one_norm skips them. */
static const rbee_tensor_name k_names[] = {
    {RBEE_T_ATTN_NORM, NULL, "transformer.h.%u.ln_mlp.weight"},
    {RBEE_T_ATTN_NORM_BIAS, NULL, "transformer.h.%u.ln_mlp.bias"},
    {RBEE_T_ATTN_NORM, NULL, "transformer.h.%u.input_layernorm.weight"},
    {RBEE_T_ATTN_NORM_BIAS, NULL, "transformer.h.%u.input_layernorm.bias"},
    {RBEE_T_ATTN_NORM_2, NULL, "transformer.h.%u.ln_attn.weight"},
    {RBEE_T_ATTN_NORM_2_BIAS, NULL, "transformer.h.%u.ln_attn.bias"},
    {RBEE_T_FFN_NORM, NULL, "transformer.h.%u.post_attention_layernorm.weight"},
    {RBEE_T_FFN_NORM_BIAS, NULL, "transformer.h.%u.post_attention_layernorm.bias"},
    {RBEE_T_TOKEN_EMBD, NULL, "transformer.word_embeddings.weight"},
    {RBEE_T_OUTPUT_NORM, NULL, "transformer.ln_f.weight"},
    {RBEE_T_OUTPUT_NORM_BIAS, NULL, "transformer.ln_f.bias"},
    {RBEE_T_ATTN_QKV, NULL, "transformer.h.%u.self_attention.query_key_value.weight"},
    {RBEE_T_ATTN_QKV_BIAS, NULL, "transformer.h.%u.self_attention.query_key_value.bias"},
    {RBEE_T_ATTN_OUT, NULL, "transformer.h.%u.self_attention.dense.weight"},
    {RBEE_T_ATTN_OUT_BIAS, NULL, "transformer.h.%u.self_attention.dense.bias"},
    {RBEE_T_FFN_UP, NULL, "transformer.h.%u.mlp.dense_h_to_4h.weight"},
    {RBEE_T_FFN_UP_BIAS, NULL, "transformer.h.%u.mlp.dense_h_to_4h.bias"},
    {RBEE_T_FFN_DOWN, NULL, "transformer.h.%u.mlp.dense_4h_to_h.weight"},
    {RBEE_T_FFN_DOWN_BIAS, NULL, "transformer.h.%u.mlp.dense_4h_to_h.bias"},
};
static const rbee_name_table k_one_norm = {k_names + 2, sizeof k_names / sizeof k_names[0] - 2};

/* Layer norms per layer and how the block adds up. */
typedef enum falcon_block {
  FALCON_PARALLEL_ONE_NORM = 0,  /* x + attn(ln(x)) + mlp(ln(x)): Falcon-7B */
  FALCON_PARALLEL_TWO_NORMS = 1, /* x + attn(ln_attn(x)) + mlp(ln_mlp(x)): new decoder architecture */
  FALCON_SEQUENTIAL = 2          /* x += attn(ln(x)); x += mlp(post_ln(x)): parallel_attn false */
} falcon_block;

typedef struct falcon_model {
  rbee_family_model base;
  falcon_block block;
  /* The fused rows are this many runs of [q heads, k heads, v heads] with equal shares: 1 for
   * [all q; all k; all v] (GGUF, whose converter reorders; Falcon-7B), n_head_kv for the new
   * architecture's groups in config.json files, n_head for per-head [q, k, v]. */
  uint32_t qkv_groups;
  rbee_unary_op act;
} falcon_model;

static const rbee_hparam k_hparams[] = {
    RBEE_HP_COMMON_ROWS,
    RBEE_HP_BASE(RBEE_HP_U32, n_ctx_train, "context_length", "max_position_embeddings", 2048, 0), /* Falcon's default */
    RBEE_HP_BASE(RBEE_HP_U32, n_ff, "feed_forward_length", "ffn_hidden_size", 0, 0), /* default 4 * n_embd */
    RBEE_HP_BASE(RBEE_HP_F32, norm_eps, "attention.layer_norm_epsilon", "layer_norm_epsilon", 1e-5, 0),
};

/* transformers' default is the exact GELU; llama.cpp's kernel approximates it with tanh, but the
 * model (and the GGUF converted from it) means the exact one. */
static rbee_status read_activation(const rbee_hparams* r, falcon_model* m) {
  const char* act = NULL;
  m->act = RBEE_UNARY_GELU;
  if (r->format == RBEE_FORMAT_GGUF) return RBEE_OK;
  RBEE_TRY(rbee_hparams_string(r, "activation", &act));
  if (act == NULL || !strcmp(act, "gelu")) return RBEE_OK;
  if (!strcmp(act, "gelu_pytorch_tanh") || !strcmp(act, "gelu_new")) {
    m->act = RBEE_UNARY_GELU_TANH;
    return RBEE_OK;
  }
  return rbee_fail(r->err, RBEE_ERROR_UNSUPPORTED, "activation: \"%s\" is not supported (expected gelu)", act);
}

/* config.json: the block layout and the KV heads, from the flags transformers reads. */
static rbee_status read_layout_config(const rbee_hparams* r, falcon_model* m) {
  int alibi = 0, new_arch = 0, multi_query = 1, parallel = 1;
  uint32_t n_ln = 2;
  RBEE_TRY(rbee_hparams_bool(r, "alibi", &alibi));
  if (alibi) return rbee_fail(r->err, RBEE_ERROR_UNSUPPORTED, "alibi: true (ALiBi position bias) is not supported");
  RBEE_TRY(rbee_hparams_bool(r, "new_decoder_architecture", &new_arch));
  RBEE_TRY(rbee_hparams_bool(r, "multi_query", &multi_query));
  RBEE_TRY(rbee_hparams_bool(r, "parallel_attn", &parallel));
  RBEE_TRY(rbee_hparams_u32(r, "num_ln_in_parallel_attn", &n_ln));
  if (new_arch) {
    /* Always parallel; rows grouped per KV head: [q of the group..., k, v] per group. */
    m->base.n_head_kv = m->base.n_head;
    RBEE_TRY(rbee_hparams_u32(r, "num_kv_heads", &m->base.n_head_kv));
    m->block = n_ln == 2 ? FALCON_PARALLEL_TWO_NORMS : FALCON_PARALLEL_ONE_NORM;
    m->qkv_groups = m->base.n_head_kv;
  } else {
    /* Falcon-7B: multi-query, [all q; k; v]; without multi_query, [q, k, v] per head. */
    m->block = parallel ? FALCON_PARALLEL_ONE_NORM : FALCON_SEQUENTIAL;
    m->base.n_head_kv = multi_query ? 1 : m->base.n_head;
    m->qkv_groups = multi_query ? 1 : m->base.n_head;
  }
  return RBEE_OK;
}

static rbee_status read_hparams(const rbee_hparams* r, rbee_family_model* base) {
  falcon_model* m = (falcon_model*)base;
  RBEE_TRY(read_activation(r, m));
  if (r->format == RBEE_FORMAT_GGUF) {
    /* llama.cpp writes two norms per layer as attn_norm (the MLP's) and attn_norm_2; its
     * converter reorders grouped rows to [all q; all k; all v]. */
    m->block = rbee_model_has_tensor(base, r->src, RBEE_T_ATTN_NORM_2, 0) ? FALCON_PARALLEL_TWO_NORMS
                                                                           : FALCON_PARALLEL_ONE_NORM;
    m->qkv_groups = 1;
  } else {
    RBEE_TRY(read_layout_config(r, m));
  }
  if (m->block != FALCON_PARALLEL_TWO_NORMS) base->names = k_one_norm;
  if (base->n_ff == 0) base->n_ff = 4 * base->n_embd;
  if (base->n_embd % base->n_head != 0)
    return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "hidden size %u is not a multiple of %u heads", base->n_embd, base->n_head);
  return RBEE_OK;
}

static void describe(const rbee_family_model* base, rbee_describe_fn emit, void* ctx) {
  static const char* const k_blocks[] = {"parallel attention + MLP, one LayerNorm",
                                         "parallel attention + MLP, ln_attn and ln_mlp", "sequential attention then MLP"};
  const falcon_model* m = (const falcon_model*)base;
  rbee_emitf(emit, ctx, "block", "%s", k_blocks[m->block]);
  const char* qkv = m->qkv_groups == 1 ? "[all q; all k; all v]"
                    : m->qkv_groups == base->n_head ? "[q, k, v] per head" : "[q..., k, v] per KV head";
  rbee_emitf(emit, ctx, "qkv_layout", "%s", qkv);
  rbee_emitf(emit, ctx, "activation", "%s", m->act == RBEE_UNARY_GELU ? "gelu (erf)" : "gelu (tanh)");
}

/* One layer of the model's block kind. */
static rbee_tensor layer(const rbee_builder* b, rbee_tensor x, uint32_t l, const rbee_norm_params* norm,
                         const rbee_attention_spec* attn) {
  const falcon_model* m = (const falcon_model*)b->m;
  rbee_tensor h = rbee_norm(b, x, RBEE_T_ATTN_NORM, RBEE_T_ATTN_NORM_BIAS, l, norm);
  if (m->block == FALCON_SEQUENTIAL) {
    x = rbee_add(b, x, rbee_attention_block(b, h, l, attn));
    h = rbee_norm(b, x, RBEE_T_FFN_NORM, RBEE_T_FFN_NORM_BIAS, l, norm);
    return rbee_add(b, x, rbee_plain_ffn(b, h, l, m->act));
  }
  rbee_tensor h_attn =
      m->block == FALCON_PARALLEL_TWO_NORMS ? rbee_norm(b, x, RBEE_T_ATTN_NORM_2, RBEE_T_ATTN_NORM_2_BIAS, l, norm) : h;
  rbee_tensor attn_out = rbee_attention_block(b, h_attn, l, attn);
  return rbee_add(b, x, rbee_add(b, attn_out, rbee_plain_ffn(b, h, l, m->act)));
}

static void build(const rbee_builder* b) {
  const rbee_norm_params norm = rbee_norm_of(b->m, RBEE_NORM_LAYER);
  /* Falcon rotates halves of each head (rotate_half, the default NEOX order); llama.cpp keeps it. */
  const rbee_attention_spec attn = {.rope = &b->m->rope, .qkv_groups = ((const falcon_model*)b->m)->qkv_groups};
  rbee_tensor x = rbee_input_embeddings(b);
  for (uint32_t l = 0; l < b->m->n_layer; ++l) x = layer(b, x, l, &norm, &attn);
  /* Tied embeddings (tie_word_embeddings, the default): no output matrix in the file. */
  rbee_output_logits(b, x, &norm, 0);
}

static const rbee_family k_family = {
    .model_size = sizeof(falcon_model), .names = RBEE_NAME_TABLE(k_names),
    RBEE_FAMILY_HPARAMS(k_hparams),
    .read = read_hparams, .describe = describe, .build = build,
};

static const char* const k_architectures[] = {"falcon", NULL};

RBEE_FAMILY_ENTRY(k_family, "falcon", "0.2.0", "Falcon (GGUF and Hugging Face safetensors)", k_architectures)
