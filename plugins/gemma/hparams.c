/* Hyperparameters from GGUF metadata ("<arch>.block_count") or config.json ("num_hidden_layers"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gemma.h"

/* 1, 2 or 3 from the GGUF architecture or the config.json model_type. */
static rbee_status read_generation(const rbee_hparams* r, uint32_t* out) {
  const char* key = r->format == RBEE_FORMAT_GGUF ? "general.architecture" : "model_type";
  const char* name = NULL;
  if (r->format == RBEE_FORMAT_GGUF) {
    r->api->get_string(r->src, key, &name); /* present: checked by open */
  } else {
    RBEE_TRY(rbee_hparams_string(r, key, &name));
  }
  if (name == NULL) return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%s: missing", key);
  if (!strcmp(name, "gemma")) *out = 1;
  else if (!strcmp(name, "gemma2")) *out = 2;
  else if (!strcmp(name, "gemma3") || !strcmp(name, "gemma3_text")) *out = 3;
  else return rbee_fail(r->err, RBEE_ERROR_UNSUPPORTED, "%s: \"%s\" is not a Gemma model", key, name);
  /* A multimodal Gemma 3 config nests its language model; only a text config at the top is read. */
  if (r->format == RBEE_FORMAT_SAFETENSORS && rbee_hparams_has(r, "text_config") && !rbee_hparams_has(r, "hidden_size"))
    return rbee_fail(r->err, RBEE_ERROR_UNSUPPORTED, "text_config: a nested text model (multimodal Gemma 3) is not supported");
  return RBEE_OK;
}

/* One entry of transformers 5's per-layer-type rope_parameters ("full_attention" or
 * "sliding_attention"): its base and linear scaling. */
static rbee_status read_rope_of_type(const rbee_hparams* r, const char* type, rbee_rope_params* rope) {
  char key[96];
  const char* kind = NULL;
  snprintf(key, sizeof key, "rope_parameters.%s.rope_theta", type);
  RBEE_TRY(rbee_hparams_float(r, key, &rope->theta));
  snprintf(key, sizeof key, "rope_parameters.%s.rope_type", type);
  RBEE_TRY(rbee_hparams_string(r, key, &kind));
  if (kind == NULL || !strcmp(kind, "default")) return RBEE_OK;
  if (strcmp(kind, "linear") != 0) return rbee_fail(r->err, RBEE_ERROR_UNSUPPORTED, "%s: \"%s\" is not supported", key, kind);
  snprintf(key, sizeof key, "rope_parameters.%s.factor", type);
  rope->scaling = RBEE_ROPE_SCALING_LINEAR;
  RBEE_TRY(rbee_hparams_float(r, key, &rope->factor));
  if (!(rope->factor > 0)) return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%s: must be > 0", key);
  return RBEE_OK;
}

/* Gemma 3's sliding layers rotate with their own base (10000 in every release) and without the
 * global layers' scaling; Gemma 1 and 2 use one RoPE everywhere. */
static rbee_status read_rope(const rbee_hparams* r, gemma_model* m) {
  int gguf = r->format == RBEE_FORMAT_GGUF;
  m->rope_global = (rbee_rope_params){
      .struct_size = sizeof(rbee_rope_params),
      .n_heads = m->n_head,
      .head_dim = m->head_dim,
      .n_rot = m->head_dim,
      .mode = RBEE_ROPE_NEOX, /* halves in both formats: llama.cpp does not permute Gemma's Q/K */
      .theta = 10000.0f,
      .factor = 1.0f,
  };
  m->rope_sliding = m->rope_global;
  if (!gguf && rbee_hparams_has(r, "rope_parameters.full_attention")) {
    RBEE_TRY(read_rope_of_type(r, "full_attention", &m->rope_global));
    return read_rope_of_type(r, "sliding_attention", &m->rope_sliding);
  }
  RBEE_TRY(rbee_hparams_float(r, gguf ? "rope.freq_base" : "rope_theta", &m->rope_global.theta));
  RBEE_TRY(rbee_hparams_rope_scaling(r, &m->rope_global));
  if (m->generation < 3) {
    m->rope_sliding = m->rope_global;
    return RBEE_OK;
  }
  return rbee_hparams_float(r, gguf ? "rope.freq_base_swa" : "rope_local_base_freq", &m->rope_sliding.theta);
}

/* q.k is scaled by query_pre_attn_scalar^-0.5. GGUF does not carry it: llama.cpp uses head_dim
 * except in the 27B models (46 layers in Gemma 2, 62 in Gemma 3), which use hidden / heads. */
static rbee_status read_attention_scalar(const rbee_hparams* r, gemma_model* m) {
  m->attn_scalar = (float)m->head_dim;
  if (m->generation == 1) return RBEE_OK;
  if (r->format == RBEE_FORMAT_SAFETENSORS) {
    RBEE_TRY(rbee_hparams_float(r, "query_pre_attn_scalar", &m->attn_scalar));
    if (!(m->attn_scalar > 0)) return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "query_pre_attn_scalar: must be > 0");
  } else if ((m->generation == 2 && m->n_layer == 46) || (m->generation == 3 && m->n_layer == 62)) {
    m->attn_scalar = (float)(m->n_embd / m->n_head);
  }
  return RBEE_OK;
}

/* Soft-capping (Gemma 2; null or absent elsewhere): 0 when absent. */
static rbee_status read_softcap(const rbee_hparams* r, const char* name, float* out) {
  *out = 0.0f;
  RBEE_TRY(rbee_hparams_float(r, name, out));
  if (*out < 0) return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%s%s: must not be negative", r->prefix, name);
  return RBEE_OK;
}

/* Which layers slide. config.json lists them ("layer_types") or gives the period of global layers
 * ("sliding_window_pattern": every N-th layer is global); GGUF carries neither and llama.cpp uses
 * 2 for Gemma 2 (even layers slide) and 6 for Gemma 3. */
static rbee_status read_layer_types(const rbee_hparams* r, gemma_model* m) {
  m->sliding = calloc(m->n_layer, 1);
  if (m->sliding == NULL) return rbee_fail(r->err, RBEE_ERROR_OUT_OF_MEMORY, "out of memory");
  if (m->generation == 1) return RBEE_OK;
  int gguf = r->format == RBEE_FORMAT_GGUF;
  const char* window_key = gguf ? "attention.sliding_window" : "sliding_window";
  RBEE_TRY(rbee_hparams_count(r, window_key, &m->window));
  if (m->window == 0) return RBEE_OK; /* no window (absent or 0): every layer is global */

  if (!gguf && rbee_hparams_has(r, "layer_types")) {
    for (uint32_t l = 0; l < m->n_layer; ++l) {
      const char* type = NULL;
      RBEE_TRY(rbee_hparams_string_at(r, "layer_types", l, &type));
      if (strcmp(type, "sliding_attention") != 0 && strcmp(type, "full_attention") != 0)
        return rbee_fail(r->err, RBEE_ERROR_UNSUPPORTED, "layer_types[%u]: \"%s\" is not supported", l, type);
      m->sliding[l] = strcmp(type, "sliding_attention") == 0;
    }
    return RBEE_OK;
  }
  uint32_t period = m->generation == 2 ? 2 : 6;
  if (!gguf) {
    RBEE_TRY(rbee_hparams_u32(r, "sliding_window_pattern", &period));
    RBEE_TRY(rbee_hparams_u32(r, "_sliding_window_pattern", &period));
  }
  for (uint32_t l = 0; l < m->n_layer; ++l) m->sliding[l] = (l + 1) % period != 0;
  return RBEE_OK;
}

rbee_status gemma_read_hparams(const rbee_source* src, gemma_model* m, rbee_error* err) {
  rbee_hparams r;
  RBEE_TRY(rbee_hparams_open(&r, gemma_host->source, src, err));
  int gguf = r.format == RBEE_FORMAT_GGUF;
  RBEE_TRY(read_generation(&r, &m->generation));
  m->names = gemma_names_for(r.format, m->generation);
  m->norm_offset = gguf ? 0.0f : 1.0f;
  m->norm_eps = 1e-6f;
  m->n_ctx_train = 8192;

  RBEE_TRY(rbee_hparams_u32(&r, gguf ? "embedding_length" : "hidden_size", &m->n_embd));
  RBEE_TRY(rbee_hparams_u32(&r, gguf ? "block_count" : "num_hidden_layers", &m->n_layer));
  RBEE_TRY(rbee_hparams_u32(&r, gguf ? "attention.head_count" : "num_attention_heads", &m->n_head));
  m->n_head_kv = m->n_head;
  RBEE_TRY(rbee_hparams_u32(&r, gguf ? "attention.head_count_kv" : "num_key_value_heads", &m->n_head_kv));
  m->head_dim = m->n_embd / m->n_head;
  RBEE_TRY(rbee_hparams_u32(&r, gguf ? "attention.key_length" : "head_dim", &m->head_dim));
  RBEE_TRY(rbee_hparams_u32(&r, gguf ? "feed_forward_length" : "intermediate_size", &m->n_ff));
  RBEE_TRY(rbee_hparams_u32(&r, gguf ? "context_length" : "max_position_embeddings", &m->n_ctx_train));
  RBEE_TRY(rbee_hparams_float(&r, gguf ? "attention.layer_norm_rms_epsilon" : "rms_norm_eps", &m->norm_eps));
  if (gguf) {
    rbee_tensor_info embd = {.struct_size = sizeof embd};
    if (r.api->tensor_info(src, m->names->token_embd, &embd) != RBEE_OK || embd.n_dims != 2)
      return rbee_fail(err, RBEE_ERROR_BAD_MODEL, "%s: missing or not 2-D", m->names->token_embd);
    m->n_vocab = (uint32_t)embd.shape[0];
  } else {
    RBEE_TRY(rbee_hparams_u32(&r, "vocab_size", &m->n_vocab));
  }
  if (m->n_head % m->n_head_kv != 0)
    return rbee_fail(err, RBEE_ERROR_BAD_MODEL, "%u attention heads are not a multiple of %u KV heads", m->n_head, m->n_head_kv);
  if (m->head_dim % 2 != 0) return rbee_fail(err, RBEE_ERROR_BAD_MODEL, "head size %u is odd: RoPE needs pairs", m->head_dim);

  RBEE_TRY(read_rope(&r, m));
  RBEE_TRY(read_attention_scalar(&r, m));
  RBEE_TRY(read_softcap(&r, "attn_logit_softcapping", &m->attn_softcap));
  RBEE_TRY(read_softcap(&r, "final_logit_softcapping", &m->final_softcap));
  return read_layer_types(&r, m);
}

/* "SSSSSG...": one letter per layer, sliding or global. */
static void layer_pattern(const gemma_model* m, char* out, size_t cap) {
  size_t n = m->n_layer < cap - 1 ? m->n_layer : cap - 1;
  for (size_t l = 0; l < n; ++l) out[l] = m->sliding[l] ? 'S' : 'G';
  out[n] = '\0';
}

rbee_status gemma_describe(const gemma_model* m, rbee_describe_fn emit, void* ctx) {
  static const char* scaling[] = {"none", "linear", "llama3"};
  rbee_emitf(emit, ctx, "generation", "Gemma %u", m->generation);
  rbee_emitf(emit, ctx, "vocab", "%u", m->n_vocab);
  rbee_emitf(emit, ctx, "hidden", "%u", m->n_embd);
  rbee_emitf(emit, ctx, "layers", "%u", m->n_layer);
  rbee_emitf(emit, ctx, "heads", "%u", m->n_head);
  rbee_emitf(emit, ctx, "kv_heads", "%u", m->n_head_kv);
  rbee_emitf(emit, ctx, "head_dim", "%u", m->head_dim);
  rbee_emitf(emit, ctx, "ffn", "%u", m->n_ff);
  rbee_emitf(emit, ctx, "context_train", "%u", m->n_ctx_train);
  rbee_emitf(emit, ctx, "norm_eps", "%g", m->norm_eps);
  rbee_emitf(emit, ctx, "attn_scalar", "%g", m->attn_scalar);
  if (m->attn_softcap > 0) {
    rbee_emitf(emit, ctx, "attn_softcap", "%g", m->attn_softcap);
  }
  if (m->final_softcap > 0) {
    rbee_emitf(emit, ctx, "final_softcap", "%g", m->final_softcap);
  }
  if (m->window > 0) {
    rbee_emitf(emit, ctx, "sliding_window", "%u", m->window);
    char pattern[128];
    layer_pattern(m, pattern, sizeof pattern);
    emit(ctx, "layer_pattern", pattern);
  }
  rbee_emitf(emit, ctx, "rope_theta", "%g", m->rope_global.theta);
  rbee_emitf(emit, ctx, "rope_scaling", "%s", scaling[m->rope_global.scaling]);
  if (m->rope_global.scaling != RBEE_ROPE_SCALING_NONE) {
    rbee_emitf(emit, ctx, "rope_factor", "%g", m->rope_global.factor);
  }
  if (m->generation == 3) {
    rbee_emitf(emit, ctx, "rope_theta_local", "%g", m->rope_sliding.theta);
  }
  return RBEE_OK;
}
