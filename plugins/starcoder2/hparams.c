/* Hyperparameters from GGUF metadata ("starcoder2.block_count") or config.json ("num_hidden_layers"). */
#include <stdio.h>
#include <string.h>

#include "starcoder2.h"

/* config.json's hidden_act (transformers' default gelu_pytorch_tanh); GGUF has no key and
 * llama.cpp applies the tanh approximation. */
static rbee_status read_activation(const rbee_hparams* r, sc2_model* m) {
  const char* act = NULL;
  m->act = RBEE_UNARY_GELU_TANH;
  if (r->format == RBEE_FORMAT_GGUF) return RBEE_OK;
  RBEE_TRY(rbee_hparams_string(r, "hidden_act", &act));
  if (act == NULL || !strcmp(act, "gelu_pytorch_tanh") || !strcmp(act, "gelu_new")) return RBEE_OK;
  if (!strcmp(act, "gelu")) {
    m->act = RBEE_UNARY_GELU;
    return RBEE_OK;
  }
  return rbee_fail(r->err, RBEE_ERROR_UNSUPPORTED, "hidden_act: \"%s\" is not supported (expected gelu_pytorch_tanh or gelu)", act);
}

static rbee_status read_vocab(const rbee_hparams* r, sc2_model* m) {
  if (r->format != RBEE_FORMAT_GGUF) return rbee_hparams_u32(r, "vocab_size", &m->n_vocab);
  rbee_tensor_info embd = {.struct_size = sizeof embd};
  if (r->api->tensor_info(r->src, m->names->token_embd, &embd) != RBEE_OK || embd.n_dims != 2)
    return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%s: missing or not 2-D", m->names->token_embd);
  m->n_vocab = (uint32_t)embd.shape[0];
  return RBEE_OK;
}

rbee_status sc2_read_hparams(const rbee_source* src, sc2_model* m, rbee_error* err) {
  rbee_hparams r;
  RBEE_TRY(rbee_hparams_open(&r, sc2_host->source, src, err));
  int gguf = r.format == RBEE_FORMAT_GGUF;
  m->names = sc2_names_for(r.format);
  m->norm_eps = 1e-5f;
  m->n_ctx_train = 4096;
  RBEE_TRY(read_activation(&r, m));
  RBEE_TRY(rbee_hparams_u32(&r, gguf ? "embedding_length" : "hidden_size", &m->n_embd));
  RBEE_TRY(rbee_hparams_u32(&r, gguf ? "block_count" : "num_hidden_layers", &m->n_layer));
  RBEE_TRY(rbee_hparams_u32(&r, gguf ? "attention.head_count" : "num_attention_heads", &m->n_head));
  m->n_head_kv = m->n_head;
  RBEE_TRY(rbee_hparams_u32(&r, gguf ? "attention.head_count_kv" : "num_key_value_heads", &m->n_head_kv));
  RBEE_TRY(rbee_hparams_u32(&r, gguf ? "feed_forward_length" : "intermediate_size", &m->n_ff));
  RBEE_TRY(rbee_hparams_u32(&r, gguf ? "context_length" : "max_position_embeddings", &m->n_ctx_train));
  RBEE_TRY(rbee_hparams_float(&r, gguf ? "attention.layer_norm_epsilon" : "norm_epsilon", &m->norm_eps));
  /* sliding_window: absent, null or 0 means none; else every layer slides. */
  RBEE_TRY(rbee_hparams_count(&r, gguf ? "attention.sliding_window" : "sliding_window", &m->sliding_window));
  RBEE_TRY(read_vocab(&r, m));
  if (m->n_embd % m->n_head != 0)
    return rbee_fail(err, RBEE_ERROR_BAD_MODEL, "hidden size %u is not a multiple of %u heads", m->n_embd, m->n_head);
  if (m->n_head % m->n_head_kv != 0)
    return rbee_fail(err, RBEE_ERROR_BAD_MODEL, "%u attention heads are not a multiple of %u KV heads", m->n_head, m->n_head_kv);
  m->head_dim = m->n_embd / m->n_head;

  /* llama.cpp keeps the Hugging Face order of Q/K rows for StarCoder2: halves rotate together. */
  m->rope = (rbee_rope_params){.struct_size = sizeof(rbee_rope_params), .n_heads = m->n_head, .head_dim = m->head_dim,
                               .n_rot = m->head_dim, .mode = RBEE_ROPE_NEOX, .theta = 10000.0f, .factor = 1.0f};
  RBEE_TRY(rbee_hparams_float(&r, gguf ? "rope.freq_base" : "rope_theta", &m->rope.theta));
  return rbee_hparams_rope_scaling(&r, &m->rope);
}

rbee_status sc2_describe(const sc2_model* m, rbee_describe_fn emit, void* ctx) {
  static const char* scaling[] = {"none", "linear", "llama3"};
  rbee_emitf(emit, ctx, "vocab", "%u", m->n_vocab);
  rbee_emitf(emit, ctx, "hidden", "%u", m->n_embd);
  rbee_emitf(emit, ctx, "layers", "%u", m->n_layer);
  rbee_emitf(emit, ctx, "heads", "%u", m->n_head);
  rbee_emitf(emit, ctx, "kv_heads", "%u", m->n_head_kv);
  rbee_emitf(emit, ctx, "head_dim", "%u", m->head_dim);
  rbee_emitf(emit, ctx, "ffn", "%u", m->n_ff);
  rbee_emitf(emit, ctx, "activation", "%s", m->act == RBEE_UNARY_GELU ? "gelu (erf)" : "gelu (tanh)");
  rbee_emitf(emit, ctx, "context_train", "%u", m->n_ctx_train);
  rbee_emitf(emit, ctx, "norm_eps", "%g", m->norm_eps);
  if (m->sliding_window) {
    rbee_emitf(emit, ctx, "sliding_window", "%u", m->sliding_window);
  }
  rbee_emitf(emit, ctx, "rope_theta", "%g", m->rope.theta);
  rbee_emitf(emit, ctx, "rope_scaling", "%s", scaling[m->rope.scaling]);
  if (m->rope.scaling != RBEE_ROPE_SCALING_NONE) {
    rbee_emitf(emit, ctx, "rope_factor", "%g", m->rope.factor);
  }
  return RBEE_OK;
}
