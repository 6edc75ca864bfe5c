/* Hyperparameters from GGUF metadata ("<arch>.block_count") or config.json ("num_hidden_layers"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qwen.h"

/* Sliding-window layers from config.json. transformers 5 names each layer's kind in "layer_types";
 * older configs say "use_sliding_window" with "sliding_window" and "max_window_layers" (the
 * layers from that index on slide). Either way the length counts only when use_sliding_window is
 * true. GGUF files of this family carry no window and llama.cpp attends fully. */
static rbee_status read_windows(const rbee_hparams* r, qwen_model* m) {
  if (r->format != RBEE_FORMAT_SAFETENSORS) return RBEE_OK;
  int use = 0;
  uint32_t window = 0;
  RBEE_TRY(rbee_hparams_bool(r, "use_sliding_window", &use));
  if (use) RBEE_TRY(rbee_hparams_u32(r, "sliding_window", &window));
  int listed = rbee_hparams_has(r, "layer_types");
  uint32_t first = 28; /* transformers' default max_window_layers */
  if (!listed) {
    if (window == 0) return RBEE_OK;
    RBEE_TRY(rbee_hparams_u32(r, "max_window_layers", &first));
  }
  m->window = calloc(m->n_layer, sizeof *m->window);
  if (m->window == NULL) return rbee_fail(r->err, RBEE_ERROR_OUT_OF_MEMORY, "out of memory");
  for (uint32_t l = 0; l < m->n_layer; ++l) {
    if (!listed) {
      m->window[l] = l >= first ? window : 0;
      continue;
    }
    const char* type = NULL;
    RBEE_TRY(rbee_hparams_string_at(r, "layer_types", l, &type));
    if (!strcmp(type, "full_attention")) continue;
    if (strcmp(type, "sliding_attention") != 0)
      return rbee_fail(r->err, RBEE_ERROR_UNSUPPORTED, "layer_types[%u]: \"%s\" is not supported", l, type);
    if (window == 0)
      return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL,
                       "layer_types[%u]: sliding_attention needs use_sliding_window true and a sliding_window length", l);
    m->window[l] = window;
  }
  return RBEE_OK;
}

/* GGUF: general.architecture; config.json: model_type (both checked by the host before this). */
static const char* architecture(const rbee_hparams* r) {
  const char* arch = "";
  r->api->get_string(r->src, r->format == RBEE_FORMAT_GGUF ? "general.architecture" : "model_type", &arch);
  return arch;
}

static rbee_status read_vocab(const rbee_hparams* r, qwen_model* m) {
  if (r->format != RBEE_FORMAT_GGUF) return rbee_hparams_u32(r, "vocab_size", &m->n_vocab);
  rbee_tensor_info embd = {.struct_size = sizeof embd};
  if (r->api->tensor_info(r->src, m->names->token_embd, &embd) != RBEE_OK || embd.n_dims != 2)
    return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%s: missing or not 2-D", m->names->token_embd);
  m->n_vocab = (uint32_t)embd.shape[0];
  return RBEE_OK;
}

rbee_status qwen_read_hparams(const rbee_source* src, qwen_model* m, rbee_error* err) {
  rbee_hparams r;
  RBEE_TRY(rbee_hparams_open(&r, qwen_host->source, src, err));
  int gguf = r.format == RBEE_FORMAT_GGUF;
  m->names = qwen_names_for(r.format);
  m->qk_norm = strcmp(architecture(&r), "qwen3") == 0;
  m->rope = (rbee_rope_params){.struct_size = sizeof(rbee_rope_params), .theta = 10000.0f, .factor = 1.0f};
  m->norm_eps = 1e-6f;
  m->n_ctx_train = 32768;

  RBEE_TRY(rbee_hparams_u32(&r, gguf ? "embedding_length" : "hidden_size", &m->n_embd));
  RBEE_TRY(rbee_hparams_u32(&r, gguf ? "block_count" : "num_hidden_layers", &m->n_layer));
  RBEE_TRY(rbee_hparams_u32(&r, gguf ? "attention.head_count" : "num_attention_heads", &m->n_head));
  m->n_head_kv = m->n_head;
  RBEE_TRY(rbee_hparams_u32(&r, gguf ? "attention.head_count_kv" : "num_key_value_heads", &m->n_head_kv));
  /* Qwen3 configs state the head size: transformers' default for it (128) is not hidden / heads. */
  m->head_dim = m->qk_norm && !gguf ? 0 : m->n_embd / m->n_head;
  RBEE_TRY(rbee_hparams_u32(&r, gguf ? "attention.key_length" : "head_dim", &m->head_dim));
  RBEE_TRY(rbee_hparams_u32(&r, gguf ? "feed_forward_length" : "intermediate_size", &m->n_ff));
  RBEE_TRY(rbee_hparams_u32(&r, gguf ? "context_length" : "max_position_embeddings", &m->n_ctx_train));
  RBEE_TRY(rbee_hparams_float(&r, gguf ? "attention.layer_norm_rms_epsilon" : "rms_norm_eps", &m->norm_eps));
  RBEE_TRY(rbee_hparams_float(&r, gguf ? "rope.freq_base" : "rope_theta", &m->rope.theta));
  m->rope.n_rot = m->head_dim;
  if (gguf) RBEE_TRY(rbee_hparams_u32(&r, "rope.dimension_count", &m->rope.n_rot));
  RBEE_TRY(rbee_hparams_rope_scaling(&r, &m->rope));
  /* llama.cpp does not permute Q/K rows for qwen, so both formats rotate halves. */
  m->rope.mode = RBEE_ROPE_NEOX;
  RBEE_TRY(read_vocab(&r, m));

  if (m->n_head % m->n_head_kv != 0)
    return rbee_fail(err, RBEE_ERROR_BAD_MODEL, "%u attention heads are not a multiple of %u KV heads", m->n_head, m->n_head_kv);
  if (m->rope.n_rot > m->head_dim || m->rope.n_rot % 2 != 0)
    return rbee_fail(err, RBEE_ERROR_BAD_MODEL, "rotary dimensions %u do not fit head size %u", m->rope.n_rot, m->head_dim);
  m->rope.n_heads = m->n_head;
  m->rope.head_dim = m->head_dim;
  return read_windows(&r, m);
}

rbee_status qwen_describe(const qwen_model* m, rbee_describe_fn emit, void* ctx) {
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
  EMIT("qk_norm", "%s", m->qk_norm ? "per head" : "none");
  EMIT("rope_theta", "%g", m->rope.theta);
  EMIT("rope_dims", "%u", m->rope.n_rot);
  EMIT("rope_scaling", "%s", scaling[m->rope.scaling]);
  if (m->rope.scaling != RBEE_ROPE_SCALING_NONE) {
    EMIT("rope_factor", "%g", m->rope.factor);
  }
  uint32_t sliding = 0, window = 0;
  for (uint32_t l = 0; m->window && l < m->n_layer; ++l)
    if (m->window[l]) sliding++, window = m->window[l];
  if (sliding) {
    EMIT("sliding_layers", "%u", sliding);
    EMIT("sliding_window", "%u", window);
  }
#undef EMIT
  return RBEE_OK;
}
