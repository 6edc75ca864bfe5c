/* Hyperparameters from GGUF metadata ("<arch>.block_count") or config.json ("num_hidden_layers"). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "llama.h"

typedef struct reader {
  const rbee_source* src;
  const rbee_source_api* api;
  char prefix[64]; /* GGUF: "<arch>." ; HF: "" */
  rbee_error* err;
} reader;

static const char* key(const reader* r, const char* name, char* buf, size_t cap) {
  snprintf(buf, cap, "%s%s", r->prefix, name);
  return buf;
}

/* Reads a positive integer; when absent, keeps *out if it is non-zero, else fails. */
static rbee_status read_u32(const reader* r, const char* name, uint32_t* out) {
  char k[128];
  int64_t v = 0;
  rbee_status s = r->api->get_int(r->src, key(r, name, k, sizeof k), &v);
  if (s == RBEE_ERROR_NOT_FOUND && *out != 0) return RBEE_OK;
  if (s != RBEE_OK) return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%s: %s", k, s == RBEE_ERROR_NOT_FOUND ? "missing (required)" : "expected an integer");
  if (v <= 0 || v > 0x7fffffff) return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%s: %lld is out of range", k, (long long)v);
  *out = (uint32_t)v;
  return RBEE_OK;
}

/* Reads a float; keeps *out when absent. */
static rbee_status read_float(const reader* r, const char* name, float* out) {
  char k[128];
  double v = 0;
  rbee_status s = r->api->get_float(r->src, key(r, name, k, sizeof k), &v);
  if (s == RBEE_ERROR_NOT_FOUND) return RBEE_OK;
  if (s != RBEE_OK || !isfinite(v)) return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%s: expected a number", k);
  *out = (float)v;
  return RBEE_OK;
}

#define TRY(x)                  \
  do {                          \
    rbee_status s_ = (x);       \
    if (s_ != RBEE_OK) return s_; \
  } while (0)

static rbee_status read_gguf_rope_scaling(const reader* r, llama_model* m) {
  char k[128];
  const char* type = NULL;
  if (r->api->get_string(r->src, key(r, "rope.scaling.type", k, sizeof k), &type) != RBEE_OK || !strcmp(type, "none"))
    return RBEE_OK;
  if (!strcmp(type, "linear")) {
    m->rope.scaling = RBEE_ROPE_SCALING_LINEAR;
    m->rope.factor = 1.0f;
    TRY(read_float(r, "rope.scaling.factor", &m->rope.factor));
    return RBEE_OK;
  }
  return rbee_fail(r->err, RBEE_ERROR_UNSUPPORTED, "%s: RoPE scaling \"%s\" is not supported by the llama plugin", k, type);
}

static rbee_status read_hf_rope_scaling(const reader* r, llama_model* m) {
  const char* type = NULL;
  if (r->api->get_string(r->src, "rope_scaling.rope_type", &type) != RBEE_OK &&
      r->api->get_string(r->src, "rope_scaling.type", &type) != RBEE_OK)
    return RBEE_OK;
  if (!strcmp(type, "default")) return RBEE_OK;
  m->rope.factor = 1.0f;
  TRY(read_float(r, "rope_scaling.factor", &m->rope.factor));
  if (!(m->rope.factor > 0)) return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "rope_scaling.factor: must be > 0");
  if (!strcmp(type, "linear")) {
    m->rope.scaling = RBEE_ROPE_SCALING_LINEAR;
    return RBEE_OK;
  }
  if (!strcmp(type, "llama3")) {
    m->rope.scaling = RBEE_ROPE_SCALING_LLAMA3;
    m->rope.low_freq_factor = 1.0f;
    m->rope.high_freq_factor = 4.0f;
    TRY(read_float(r, "rope_scaling.low_freq_factor", &m->rope.low_freq_factor));
    TRY(read_float(r, "rope_scaling.high_freq_factor", &m->rope.high_freq_factor));
    TRY(read_u32(r, "rope_scaling.original_max_position_embeddings", &m->rope.original_max_positions));
    if (!(m->rope.high_freq_factor > m->rope.low_freq_factor))
      return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "rope_scaling: high_freq_factor must exceed low_freq_factor");
    return RBEE_OK;
  }
  return rbee_fail(r->err, RBEE_ERROR_UNSUPPORTED, "rope_scaling.rope_type: \"%s\" is not supported by the llama plugin", type);
}

rbee_status llama_read_hparams(const rbee_source* src, llama_model* m, rbee_error* err) {
  const rbee_source_api* api = llama_host->source;
  rbee_format format = api->format(src);
  reader r = {src, api, "", err};
  m->names = llama_names_for(format);
  m->rope = (rbee_rope_params){.struct_size = sizeof(rbee_rope_params), .theta = 10000.0f, .factor = 1.0f};
  m->norm_eps = 1e-5f;

  if (format == RBEE_FORMAT_GGUF) {
    const char* arch = NULL;
    if (api->get_string(src, "general.architecture", &arch) != RBEE_OK)
      return rbee_fail(err, RBEE_ERROR_BAD_MODEL, "general.architecture: missing");
    snprintf(r.prefix, sizeof r.prefix, "%s.", arch);
    TRY(read_u32(&r, "embedding_length", &m->n_embd));
    TRY(read_u32(&r, "block_count", &m->n_layer));
    TRY(read_u32(&r, "attention.head_count", &m->n_head));
    m->n_head_kv = m->n_head;
    TRY(read_u32(&r, "attention.head_count_kv", &m->n_head_kv));
    m->head_dim = m->n_embd / m->n_head;
    TRY(read_u32(&r, "attention.key_length", &m->head_dim));
    TRY(read_u32(&r, "feed_forward_length", &m->n_ff));
    m->n_ctx_train = 4096;
    TRY(read_u32(&r, "context_length", &m->n_ctx_train));
    TRY(read_float(&r, "attention.layer_norm_rms_epsilon", &m->norm_eps));
    TRY(read_float(&r, "rope.freq_base", &m->rope.theta));
    m->rope.n_rot = m->head_dim;
    TRY(read_u32(&r, "rope.dimension_count", &m->rope.n_rot));
    TRY(read_gguf_rope_scaling(&r, m));
    /* llama.cpp's conversion permutes Q/K rows so that adjacent pairs rotate together. */
    m->rope.mode = RBEE_ROPE_NORMAL;
    rbee_tensor_info embd = {.struct_size = sizeof embd};
    if (api->tensor_info(src, m->names->token_embd, &embd) != RBEE_OK || embd.n_dims != 2)
      return rbee_fail(err, RBEE_ERROR_BAD_MODEL, "%s: missing or not 2-D", m->names->token_embd);
    m->n_vocab = (uint32_t)embd.shape[0];
  } else {
    TRY(read_u32(&r, "hidden_size", &m->n_embd));
    TRY(read_u32(&r, "num_hidden_layers", &m->n_layer));
    TRY(read_u32(&r, "num_attention_heads", &m->n_head));
    m->n_head_kv = m->n_head;
    TRY(read_u32(&r, "num_key_value_heads", &m->n_head_kv));
    m->head_dim = m->n_embd / m->n_head;
    TRY(read_u32(&r, "head_dim", &m->head_dim));
    TRY(read_u32(&r, "intermediate_size", &m->n_ff));
    TRY(read_u32(&r, "vocab_size", &m->n_vocab));
    m->n_ctx_train = 4096;
    TRY(read_u32(&r, "max_position_embeddings", &m->n_ctx_train));
    m->norm_eps = 1e-6f;
    TRY(read_float(&r, "rms_norm_eps", &m->norm_eps));
    TRY(read_float(&r, "rope_theta", &m->rope.theta));
    m->rope.n_rot = m->head_dim;
    TRY(read_hf_rope_scaling(&r, m));
    /* Hugging Face keeps Q/K rows in their original order: rotate halves. */
    m->rope.mode = RBEE_ROPE_NEOX;
  }
  if (m->n_head % m->n_head_kv != 0)
    return rbee_fail(err, RBEE_ERROR_BAD_MODEL, "%d attention heads are not a multiple of %d KV heads", m->n_head, m->n_head_kv);
  if (m->rope.n_rot > m->head_dim || m->rope.n_rot % 2 != 0)
    return rbee_fail(err, RBEE_ERROR_BAD_MODEL, "rotary dimensions %u do not fit head size %u", m->rope.n_rot, m->head_dim);
  m->rope.n_heads = m->n_head;
  m->rope.head_dim = m->head_dim;
  return RBEE_OK;
}

rbee_status llama_describe(const llama_model* m, rbee_describe_fn emit, void* ctx) {
  static const char* scaling[] = {"none", "linear", "llama3"};
  char v[64];
#define EMIT(name, fmt, value)           \
  snprintf(v, sizeof v, fmt, value);     \
  emit(ctx, name, v);
  EMIT("vocab", "%u", m->n_vocab);
  EMIT("hidden", "%u", m->n_embd);
  EMIT("layers", "%u", m->n_layer);
  EMIT("heads", "%u", m->n_head);
  EMIT("kv_heads", "%u", m->n_head_kv);
  EMIT("head_dim", "%u", m->head_dim);
  EMIT("ffn", "%u", m->n_ff);
  EMIT("context_train", "%u", m->n_ctx_train);
  EMIT("norm_eps", "%g", m->norm_eps);
  EMIT("rope_theta", "%g", m->rope.theta);
  EMIT("rope_dims", "%u", m->rope.n_rot);
  EMIT("rope_order", "%s", m->rope.mode == RBEE_ROPE_NEOX ? "neox (halves)" : "normal (pairs)");
  EMIT("rope_scaling", "%s", scaling[m->rope.scaling]);
  if (m->rope.scaling != RBEE_ROPE_SCALING_NONE) {
    EMIT("rope_factor", "%g", m->rope.factor);
  }
#undef EMIT
  return RBEE_OK;
}
