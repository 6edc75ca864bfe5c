/* Hyperparameters from GGUF metadata ("falcon.block_count") or config.json ("num_hidden_layers"). */
#include <stdio.h>
#include <string.h>

#include "falcon.h"

static rbee_status read_activation(const rbee_hparams* r, falcon_model* m) {
  const char* act = NULL;
  /* transformers' default is the exact GELU; llama.cpp's kernel approximates it with tanh, but the
   * model (and the GGUF converted from it) means the exact one. */
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
  m->n_head_kv = m->n_head;
  if (new_arch) {
    /* Always parallel; rows grouped per KV head: [q of the group..., k, v] per group. */
    RBEE_TRY(rbee_hparams_u32(r, "num_kv_heads", &m->n_head_kv));
    m->block = n_ln == 2 ? FALCON_PARALLEL_TWO_NORMS : FALCON_PARALLEL_ONE_NORM;
    m->qkv_groups = m->n_head_kv;
  } else {
    /* Falcon-7B: multi-query, [all q; k; v]; without multi_query, [q, k, v] per head. */
    m->block = parallel ? FALCON_PARALLEL_ONE_NORM : FALCON_SEQUENTIAL;
    m->n_head_kv = multi_query ? 1 : m->n_head;
    m->qkv_groups = multi_query ? 1 : m->n_head;
  }
  return RBEE_OK;
}

/* GGUF: llama.cpp writes two norms per layer as attn_norm (the MLP's) and attn_norm_2. */
static rbee_status read_layout_gguf(const rbee_hparams* r, falcon_model* m) {
  rbee_tensor_info t = {.struct_size = sizeof t};
  m->block = r->api->tensor_info(r->src, "blk.0.attn_norm_2.weight", &t) == RBEE_OK ? FALCON_PARALLEL_TWO_NORMS
                                                                                   : FALCON_PARALLEL_ONE_NORM;
  m->n_head_kv = m->n_head; /* llama.cpp's default */
  m->qkv_groups = 1;       /* the converter reorders grouped rows to [all q; all k; all v] */
  return rbee_hparams_u32(r, "attention.head_count_kv", &m->n_head_kv);
}

static rbee_status read_vocab(const rbee_hparams* r, falcon_model* m) {
  if (r->format != RBEE_FORMAT_GGUF) return rbee_hparams_u32(r, "vocab_size", &m->n_vocab);
  rbee_tensor_info embd = {.struct_size = sizeof embd};
  if (r->api->tensor_info(r->src, m->names->token_embd, &embd) != RBEE_OK || embd.n_dims != 2)
    return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%s: missing or not 2-D", m->names->token_embd);
  m->n_vocab = (uint32_t)embd.shape[0];
  return RBEE_OK;
}

rbee_status falcon_read_hparams(const rbee_source* src, falcon_model* m, rbee_error* err) {
  rbee_hparams r;
  RBEE_TRY(rbee_hparams_open(&r, falcon_host->source, src, err));
  int gguf = r.format == RBEE_FORMAT_GGUF;
  m->norm_eps = 1e-5f;
  m->n_ctx_train = 2048;
  RBEE_TRY(read_activation(&r, m));
  RBEE_TRY(rbee_hparams_u32(&r, gguf ? "embedding_length" : "hidden_size", &m->n_embd));
  RBEE_TRY(rbee_hparams_u32(&r, gguf ? "block_count" : "num_hidden_layers", &m->n_layer));
  RBEE_TRY(rbee_hparams_u32(&r, gguf ? "attention.head_count" : "num_attention_heads", &m->n_head));
  RBEE_TRY(gguf ? read_layout_gguf(&r, m) : read_layout_config(&r, m));
  m->names = falcon_names_for(r.format, m->block);
  m->n_ff = 4 * m->n_embd;
  RBEE_TRY(rbee_hparams_u32(&r, gguf ? "feed_forward_length" : "ffn_hidden_size", &m->n_ff));
  RBEE_TRY(rbee_hparams_u32(&r, gguf ? "context_length" : "max_position_embeddings", &m->n_ctx_train));
  RBEE_TRY(rbee_hparams_float(&r, gguf ? "attention.layer_norm_epsilon" : "layer_norm_epsilon", &m->norm_eps));
  RBEE_TRY(read_vocab(&r, m));
  if (m->n_embd % m->n_head != 0)
    return rbee_fail(err, RBEE_ERROR_BAD_MODEL, "hidden size %u is not a multiple of %u heads", m->n_embd, m->n_head);
  if (m->n_head % m->n_head_kv != 0)
    return rbee_fail(err, RBEE_ERROR_BAD_MODEL, "%u attention heads are not a multiple of %u KV heads", m->n_head, m->n_head_kv);
  if (m->n_head_kv % m->qkv_groups != 0)
    return rbee_fail(err, RBEE_ERROR_BAD_MODEL, "%u KV heads do not split into %u query_key_value groups", m->n_head_kv, m->qkv_groups);
  m->head_dim = m->n_embd / m->n_head;

  /* Falcon rotates halves of each head (rotate_half); llama.cpp keeps that order. */
  m->rope = (rbee_rope_params){.struct_size = sizeof(rbee_rope_params), .n_heads = m->n_head, .head_dim = m->head_dim,
                               .n_rot = m->head_dim, .mode = RBEE_ROPE_NEOX, .theta = 10000.0f, .factor = 1.0f};
  RBEE_TRY(rbee_hparams_float(&r, gguf ? "rope.freq_base" : "rope_theta", &m->rope.theta));
  return rbee_hparams_rope_scaling(&r, &m->rope);
}

rbee_status falcon_describe(const falcon_model* m, rbee_describe_fn emit, void* ctx) {
  static const char* scaling[] = {"none", "linear", "llama3"};
  static const char* blocks[] = {"parallel attention + MLP, one LayerNorm", "parallel attention + MLP, ln_attn and ln_mlp",
                                 "sequential attention then MLP"};
  rbee_emitf(emit, ctx, "vocab", "%u", m->n_vocab);
  rbee_emitf(emit, ctx, "hidden", "%u", m->n_embd);
  rbee_emitf(emit, ctx, "layers", "%u", m->n_layer);
  rbee_emitf(emit, ctx, "block", "%s", blocks[m->block]);
  rbee_emitf(emit, ctx, "heads", "%u", m->n_head);
  rbee_emitf(emit, ctx, "kv_heads", "%u", m->n_head_kv);
  rbee_emitf(emit, ctx, "head_dim", "%u", m->head_dim);
  rbee_emitf(emit, ctx, "qkv_layout", "%s", m->qkv_groups == 1 ? "[all q; all k; all v]" : m->qkv_groups == m->n_head ? "[q, k, v] per head" : "[q..., k, v] per KV head");
  rbee_emitf(emit, ctx, "ffn", "%u", m->n_ff);
  rbee_emitf(emit, ctx, "activation", "%s", m->act == RBEE_UNARY_GELU ? "gelu (erf)" : "gelu (tanh)");
  rbee_emitf(emit, ctx, "context_train", "%u", m->n_ctx_train);
  rbee_emitf(emit, ctx, "norm_eps", "%g", m->norm_eps);
  rbee_emitf(emit, ctx, "rope_theta", "%g", m->rope.theta);
  rbee_emitf(emit, ctx, "rope_scaling", "%s", scaling[m->rope.scaling]);
  if (m->rope.scaling != RBEE_ROPE_SCALING_NONE) {
    rbee_emitf(emit, ctx, "rope_factor", "%g", m->rope.factor);
  }
  return RBEE_OK;
}
