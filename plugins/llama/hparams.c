/* Hyperparameters from GGUF metadata ("<arch>.block_count") or config.json ("num_hidden_layers"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "llama.h"

/* SmolLM3 skips RoPE in every `interval`-th layer. config.json lists the layers ("no_rope_layers":
 * 1 = rotate) or gives the interval; llama.cpp's GGUF carries neither and uses 4. */
static rbee_status read_no_rope_layers(const rbee_hparams* r, const char* arch, llama_model* m) {
  uint32_t interval = 0;
  if (r->format == RBEE_FORMAT_GGUF) {
    if (strcmp(arch, "smollm3") != 0) return RBEE_OK;
    interval = 4;
  } else if (rbee_hparams_has(r, "no_rope_layer_interval")) {
    RBEE_TRY(rbee_hparams_u32(r, "no_rope_layer_interval", &interval));
  }
  int listed = r->format == RBEE_FORMAT_SAFETENSORS && rbee_hparams_has(r, "no_rope_layers");
  if (interval == 0 && !listed) return RBEE_OK;
  m->use_rope = malloc(m->n_layer);
  if (m->use_rope == NULL) return rbee_fail(r->err, RBEE_ERROR_OUT_OF_MEMORY, "out of memory");
  if (!listed) {
    for (uint32_t l = 0; l < m->n_layer; ++l) m->use_rope[l] = (l + 1) % interval != 0;
    return RBEE_OK;
  }
  float* flags = malloc(sizeof(float) * m->n_layer);
  if (flags == NULL) return rbee_fail(r->err, RBEE_ERROR_OUT_OF_MEMORY, "out of memory");
  rbee_status s = rbee_hparams_floats(r, "no_rope_layers", flags, m->n_layer);
  for (uint32_t l = 0; s == RBEE_OK && l < m->n_layer; ++l) m->use_rope[l] = flags[l] != 0.0f;
  free(flags);
  return s;
}

/* Mixtral: GGUF "<arch>.expert_count" / HF "num_local_experts"; absent or 0 for dense models. */
static rbee_status read_experts(const rbee_hparams* r, llama_model* m) {
  int gguf = r->format == RBEE_FORMAT_GGUF;
  const char* count = gguf ? "expert_count" : "num_local_experts";
  const char* used = gguf ? "expert_used_count" : "num_experts_per_tok";
  char k[160];
  int64_t n = 0;
  if (r->api->get_int(r->src, rbee_hparams_key(r, count, k, sizeof k), &n) != RBEE_OK || n == 0) return RBEE_OK;
  RBEE_TRY(rbee_hparams_u32(r, count, &m->n_expert));
  RBEE_TRY(rbee_hparams_u32(r, used, &m->n_expert_used));
  if (m->n_expert_used > m->n_expert || m->n_expert_used > 32)
    return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%s%s: %u experts per token of %u (at most 32)", r->prefix, used,
                     m->n_expert_used, m->n_expert);
  return RBEE_OK;
}

rbee_status llama_read_hparams(const rbee_source* src, llama_model* m, rbee_error* err) {
  rbee_hparams r;
  RBEE_TRY(rbee_hparams_open(&r, llama_host->source, src, err));
  m->names = llama_names_for(r.format);
  m->rope = (rbee_rope_params){.struct_size = sizeof(rbee_rope_params), .theta = 10000.0f, .factor = 1.0f};
  m->norm_eps = r.format == RBEE_FORMAT_GGUF ? 1e-5f : 1e-6f;
  m->n_ctx_train = 4096;
  int gguf = r.format == RBEE_FORMAT_GGUF;
  const char* arch = "";
  if (gguf) r.api->get_string(src, "general.architecture", &arch); /* present: checked by open */

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
  RBEE_TRY(rbee_hparams_float(&r, gguf ? "rope.freq_base" : "rope_theta", &m->rope.theta));
  m->rope.n_rot = m->head_dim;
  if (gguf) RBEE_TRY(rbee_hparams_u32(&r, "rope.dimension_count", &m->rope.n_rot));
  RBEE_TRY(rbee_hparams_rope_scaling(&r, &m->rope));
  /* llama.cpp's conversion permutes Q/K rows so that adjacent pairs rotate together; Hugging
   * Face keeps the original order, which rotates halves. */
  m->rope.mode = gguf ? RBEE_ROPE_NORMAL : RBEE_ROPE_NEOX;

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
  if (m->rope.n_rot > m->head_dim || m->rope.n_rot % 2 != 0)
    return rbee_fail(err, RBEE_ERROR_BAD_MODEL, "rotary dimensions %u do not fit head size %u", m->rope.n_rot, m->head_dim);
  m->rope.n_heads = m->n_head;
  m->rope.head_dim = m->head_dim;
  RBEE_TRY(read_experts(&r, m));
  return read_no_rope_layers(&r, arch, m);
}

rbee_status llama_describe(const llama_model* m, rbee_describe_fn emit, void* ctx) {
  static const char* scaling[] = {"none", "linear", "llama3"};
  rbee_emitf(emit, ctx, "vocab", "%u", m->n_vocab);
  rbee_emitf(emit, ctx, "hidden", "%u", m->n_embd);
  rbee_emitf(emit, ctx, "layers", "%u", m->n_layer);
  rbee_emitf(emit, ctx, "heads", "%u", m->n_head);
  rbee_emitf(emit, ctx, "kv_heads", "%u", m->n_head_kv);
  rbee_emitf(emit, ctx, "head_dim", "%u", m->head_dim);
  rbee_emitf(emit, ctx, "ffn", "%u", m->n_ff);
  rbee_emitf(emit, ctx, "context_train", "%u", m->n_ctx_train);
  rbee_emitf(emit, ctx, "norm_eps", "%g", m->norm_eps);
  rbee_emitf(emit, ctx, "rope_theta", "%g", m->rope.theta);
  rbee_emitf(emit, ctx, "rope_dims", "%u", m->rope.n_rot);
  rbee_emitf(emit, ctx, "rope_order", "%s", m->rope.mode == RBEE_ROPE_NEOX ? "neox (halves)" : "normal (pairs)");
  rbee_emitf(emit, ctx, "rope_scaling", "%s", scaling[m->rope.scaling]);
  if (m->rope.scaling != RBEE_ROPE_SCALING_NONE) {
    rbee_emitf(emit, ctx, "rope_factor", "%g", m->rope.factor);
  }
  if (m->n_expert) {
    rbee_emitf(emit, ctx, "experts", "%u", m->n_expert);
    rbee_emitf(emit, ctx, "experts_per_token", "%u", m->n_expert_used);
  }
  if (m->use_rope) {
    uint32_t skipped = 0;
    for (uint32_t l = 0; l < m->n_layer; ++l) skipped += !m->use_rope[l];
    rbee_emitf(emit, ctx, "layers_without_rope", "%u", skipped);
  }
  return RBEE_OK;
}
