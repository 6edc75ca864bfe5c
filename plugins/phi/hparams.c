/* Hyperparameters from GGUF metadata ("<arch>.block_count") or config.json ("num_hidden_layers"). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "phi.h"

static rbee_status read_generation(const rbee_hparams* r, phi_model* m) {
  const char* key = r->format == RBEE_FORMAT_GGUF ? "general.architecture" : "model_type";
  const char* arch = NULL;
  if (r->api->get_string(r->src, key, &arch) != RBEE_OK) return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%s: missing", key);
  if (!strcmp(arch, "phi2") || !strcmp(arch, "phi")) m->generation = PHI_2;
  else if (!strcmp(arch, "phi3")) m->generation = PHI_3;
  else return rbee_fail(r->err, RBEE_ERROR_UNSUPPORTED, "%s: \"%s\" is not a Phi model", key, arch);
  return RBEE_OK;
}

/* config.json settings the graph does not implement are refused: another activation than the one
 * it hard-codes, Phi-2's optional per-head Q/K LayerNorm. */
static rbee_status check_supported(const rbee_hparams* r, const phi_model* m) {
  const char* expected = m->generation == PHI_2 ? "gelu_new" : "silu";
  const char* act = NULL;
  if (r->format == RBEE_FORMAT_GGUF) return RBEE_OK;
  RBEE_TRY(rbee_hparams_string(r, "hidden_act", &act));
  if (act != NULL && strcmp(act, expected) != 0)
    return rbee_fail(r->err, RBEE_ERROR_UNSUPPORTED, "hidden_act: \"%s\" is not supported (expected \"%s\")", act, expected);
  int qk_norm = 0;
  RBEE_TRY(rbee_hparams_bool(r, "qk_layernorm", &qk_norm));
  if (qk_norm) return rbee_fail(r->err, RBEE_ERROR_UNSUPPORTED, "qk_layernorm: true is not supported");
  return RBEE_OK;
}

/* Rotated dimensions per head: GGUF gives them, config.json a fraction of the head. */
static rbee_status read_rotary_dims(const rbee_hparams* r, phi_model* m) {
  m->rope.n_rot = m->head_dim;
  if (r->format == RBEE_FORMAT_GGUF) return rbee_hparams_u32(r, "rope.dimension_count", &m->rope.n_rot);
  return rbee_hparams_partial_rotary(r, m->head_dim, m->generation == PHI_2 ? 0.5 : 1.0, &m->rope.n_rot);
}

/* LongRoPE's default attention factor, from how far the context was stretched. */
static float longrope_attn_factor(uint32_t n_ctx_train, uint32_t original_max) {
  double ratio = (double)n_ctx_train / original_max;
  return ratio > 1.0 ? (float)sqrt(1.0 + log(ratio) / log((double)original_max)) : 1.0f;
}

static rbee_status read_factor_array(const rbee_hparams* r, const char* name, uint32_t n, float** out) {
  *out = malloc(sizeof(float) * n);
  if (*out == NULL) return rbee_fail(r->err, RBEE_ERROR_OUT_OF_MEMORY, "out of memory");
  rbee_status s = rbee_hparams_floats(r, name, *out, n);
  if (s == RBEE_ERROR_NOT_FOUND) return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%s: missing (required by longrope)", name);
  for (uint32_t i = 0; s == RBEE_OK && i < n; ++i)
    if (!((*out)[i] > 0.0f)) return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%s[%u]: must be > 0", name, i);
  return s;
}

/* config.json: rope_scaling {type "longrope" (or Phi-3's first name "su"), short_factor,
 * long_factor, attention_factor?}, original_max_position_embeddings there or at the top. */
static rbee_status read_longrope_config(const rbee_hparams* r, phi_model* m) {
  phi_longrope* lr = &m->longrope;
  uint32_t n = m->rope.n_rot / 2;
  lr->enabled = 1;
  RBEE_TRY(read_factor_array(r, "rope_scaling.short_factor", n, &lr->short_factors));
  RBEE_TRY(read_factor_array(r, "rope_scaling.long_factor", n, &lr->long_factors));
  lr->original_max = m->n_ctx_train;
  RBEE_TRY(rbee_hparams_u32(r, "original_max_position_embeddings", &lr->original_max));
  RBEE_TRY(rbee_hparams_u32(r, "rope_scaling.original_max_position_embeddings", &lr->original_max));
  lr->attn_factor = longrope_attn_factor(m->n_ctx_train, lr->original_max);
  RBEE_TRY(rbee_hparams_float(r, "rope_scaling.attention_factor", &lr->attn_factor));
  if (!(lr->attn_factor > 0.0f)) return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "rope_scaling.attention_factor: must be > 0");
  return RBEE_OK;
}

static rbee_status check_factor_tensor(const rbee_hparams* r, const char* name, uint32_t n) {
  rbee_tensor_info t = {.struct_size = sizeof t};
  if (r->api->tensor_info(r->src, name, &t) != RBEE_OK)
    return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%s: missing (the file has the other LongRoPE factors)", name);
  if (t.n_dims != 1 || t.shape[0] != n)
    return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%s: expected %u values (rotated dimensions / 2)", name, n);
  return RBEE_OK;
}

/* GGUF: LongRoPE when the file carries the factor tensors (the graph picks one of them). */
static rbee_status read_longrope_gguf(const rbee_hparams* r, phi_model* m) {
  phi_longrope* lr = &m->longrope;
  rbee_tensor_info t = {.struct_size = sizeof t};
  if (r->api->tensor_info(r->src, m->names->rope_factors_long, &t) != RBEE_OK &&
      r->api->tensor_info(r->src, m->names->rope_factors_short, &t) != RBEE_OK)
    return RBEE_OK;
  RBEE_TRY(check_factor_tensor(r, m->names->rope_factors_long, m->rope.n_rot / 2));
  RBEE_TRY(check_factor_tensor(r, m->names->rope_factors_short, m->rope.n_rot / 2));
  lr->enabled = 1;
  lr->original_max = m->n_ctx_train;
  RBEE_TRY(rbee_hparams_u32(r, "rope.scaling.original_context_length", &lr->original_max));
  lr->attn_factor = longrope_attn_factor(m->n_ctx_train, lr->original_max);
  RBEE_TRY(rbee_hparams_float(r, "rope.scaling.attn_factor", &lr->attn_factor));
  if (!(lr->attn_factor > 0.0f)) return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%srope.scaling.attn_factor: must be > 0", r->prefix);
  return RBEE_OK;
}

static int is_longrope(const char* type) { return type != NULL && (!strcmp(type, "longrope") || !strcmp(type, "su")); }

static rbee_status read_rope(const rbee_hparams* r, phi_model* m) {
  int gguf = r->format == RBEE_FORMAT_GGUF;
  m->rope = (rbee_rope_params){.struct_size = sizeof(rbee_rope_params), .theta = 10000.0f, .factor = 1.0f};
  /* llama.cpp keeps the Hugging Face order of Q/K rows for Phi: halves rotate together. */
  m->rope.mode = RBEE_ROPE_NEOX;
  RBEE_TRY(rbee_hparams_float(r, gguf ? "rope.freq_base" : "rope_theta", &m->rope.theta));
  RBEE_TRY(read_rotary_dims(r, m));
  if (m->rope.n_rot == 0 || m->rope.n_rot > m->head_dim || m->rope.n_rot % 2 != 0)
    return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "rotary dimensions %u do not fit head size %u", m->rope.n_rot, m->head_dim);
  m->rope.n_heads = m->n_head;
  m->rope.head_dim = m->head_dim;

  const char* type = NULL;
  RBEE_TRY(rbee_hparams_string(r, gguf ? "rope.scaling.type" : "rope_scaling.rope_type", &type));
  if (gguf) {
    if (!is_longrope(type)) RBEE_TRY(rbee_hparams_rope_scaling(r, &m->rope));
    return read_longrope_gguf(r, m);
  }
  return is_longrope(type) ? read_longrope_config(r, m) : rbee_hparams_rope_scaling(r, &m->rope);
}

static rbee_status read_vocab_size(const rbee_hparams* r, phi_model* m) {
  if (r->format != RBEE_FORMAT_GGUF) return rbee_hparams_u32(r, "vocab_size", &m->n_vocab);
  rbee_tensor_info embd = {.struct_size = sizeof embd};
  if (r->api->tensor_info(r->src, m->names->token_embd, &embd) != RBEE_OK || embd.n_dims != 2)
    return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%s: missing or not 2-D", m->names->token_embd);
  m->n_vocab = (uint32_t)embd.shape[0];
  return RBEE_OK;
}

static const char* norm_eps_key(const rbee_hparams* r, const phi_model* m) {
  if (r->format == RBEE_FORMAT_GGUF)
    return m->generation == PHI_2 ? "attention.layer_norm_epsilon" : "attention.layer_norm_rms_epsilon";
  return m->generation == PHI_2 ? "layer_norm_eps" : "rms_norm_eps";
}

rbee_status phi_read_hparams(const rbee_source* src, phi_model* m, rbee_error* err) {
  rbee_hparams r;
  RBEE_TRY(rbee_hparams_open(&r, phi_host->source, src, err));
  int gguf = r.format == RBEE_FORMAT_GGUF;
  RBEE_TRY(read_generation(&r, m));
  RBEE_TRY(check_supported(&r, m));
  m->names = phi_names_for(r.format, m->generation);
  m->norm_eps = 1e-5f;
  m->n_ctx_train = 4096;

  RBEE_TRY(rbee_hparams_u32(&r, gguf ? "embedding_length" : "hidden_size", &m->n_embd));
  RBEE_TRY(rbee_hparams_u32(&r, gguf ? "block_count" : "num_hidden_layers", &m->n_layer));
  RBEE_TRY(rbee_hparams_u32(&r, gguf ? "attention.head_count" : "num_attention_heads", &m->n_head));
  m->n_head_kv = m->n_head;
  RBEE_TRY(rbee_hparams_u32(&r, gguf ? "attention.head_count_kv" : "num_key_value_heads", &m->n_head_kv));
  m->head_dim = m->n_embd / m->n_head;
  RBEE_TRY(rbee_hparams_u32(&r, gguf ? "attention.key_length" : "head_dim", &m->head_dim));
  RBEE_TRY(rbee_hparams_u32(&r, gguf ? "feed_forward_length" : "intermediate_size", &m->n_ff));
  RBEE_TRY(rbee_hparams_u32(&r, gguf ? "context_length" : "max_position_embeddings", &m->n_ctx_train));
  RBEE_TRY(rbee_hparams_float(&r, norm_eps_key(&r, m), &m->norm_eps));
  RBEE_TRY(rbee_hparams_count(&r, gguf ? "attention.sliding_window" : "sliding_window", &m->sliding_window));
  RBEE_TRY(read_vocab_size(&r, m));
  if (m->n_head % m->n_head_kv != 0)
    return rbee_fail(err, RBEE_ERROR_BAD_MODEL, "%u attention heads are not a multiple of %u KV heads", m->n_head, m->n_head_kv);
  return read_rope(&r, m);
}

void phi_free_hparams(phi_model* m) {
  free(m->longrope.short_factors);
  free(m->longrope.long_factors);
}

rbee_status phi_describe(const phi_model* m, rbee_describe_fn emit, void* ctx) {
  static const char* scaling[] = {"none", "linear", "llama3"};
  rbee_emitf(emit, ctx, "generation", "Phi-%d", (int)m->generation);
  rbee_emitf(emit, ctx, "vocab", "%u", m->n_vocab);
  rbee_emitf(emit, ctx, "hidden", "%u", m->n_embd);
  rbee_emitf(emit, ctx, "layers", "%u", m->n_layer);
  rbee_emitf(emit, ctx, "block", "%s", m->generation == PHI_2 ? "parallel attention + GELU MLP, LayerNorm" : "sequential, SwiGLU MLP, RMSNorm");
  rbee_emitf(emit, ctx, "heads", "%u", m->n_head);
  rbee_emitf(emit, ctx, "kv_heads", "%u", m->n_head_kv);
  rbee_emitf(emit, ctx, "head_dim", "%u", m->head_dim);
  rbee_emitf(emit, ctx, "ffn", "%u", m->n_ff);
  rbee_emitf(emit, ctx, "context_train", "%u", m->n_ctx_train);
  rbee_emitf(emit, ctx, "norm_eps", "%g", m->norm_eps);
  if (m->sliding_window) {
    rbee_emitf(emit, ctx, "sliding_window", "%u", m->sliding_window);
  }
  rbee_emitf(emit, ctx, "rope_theta", "%g", m->rope.theta);
  rbee_emitf(emit, ctx, "rope_dims", "%u", m->rope.n_rot);
  rbee_emitf(emit, ctx, "rope_scaling", "%s", m->longrope.enabled ? "longrope" : scaling[m->rope.scaling]);
  if (m->rope.scaling != RBEE_ROPE_SCALING_NONE) {
    rbee_emitf(emit, ctx, "rope_factor", "%g", m->rope.factor);
  }
  if (m->longrope.enabled) {
    rbee_emitf(emit, ctx, "rope_original_context", "%u", m->longrope.original_max);
    rbee_emitf(emit, ctx, "rope_attn_factor", "%g", m->longrope.attn_factor);
  }
  return RBEE_OK;
}
