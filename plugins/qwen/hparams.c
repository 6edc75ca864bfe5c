/* Hyperparameters from GGUF metadata ("<arch>.block_count") or config.json ("num_hidden_layers"). */
#include <math.h>
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

/* 1 when layer l of a GGUF file has a router: llama.cpp writes no decoder_sparse_step, and a
 * dense layer of an MoE model simply has ffn_gate/up/down instead. */
static int gguf_has_router(const rbee_hparams* r, const qwen_model* m, uint32_t l) {
  char name[RBEE_NAME_MAX];
  rbee_tensor_info info = {.struct_size = sizeof info};
  snprintf(name, sizeof name, m->names->ffn_gate_inp, l);
  return r->api->tensor_info(r->src, name, &info) == RBEE_OK;
}

/* Qwen2-MoE and Qwen3-MoE: experts, routing and which layers are sparse. config.json: layer l is
 * sparse unless listed in mlp_only_layers, when (l + 1) is a multiple of decoder_sparse_step;
 * the others use the dense MLP of intermediate_size. */
static rbee_status read_experts(const rbee_hparams* r, qwen_model* m, int qwen2moe) {
  int gguf = r->format == RBEE_FORMAT_GGUF;
  const char* count = gguf ? "expert_count" : rbee_hparams_has(r, "num_experts") ? "num_experts" : "num_local_experts";
  const char* used = gguf ? "expert_used_count" : "num_experts_per_tok";
  RBEE_TRY(rbee_hparams_u32(r, count, &m->n_expert));
  RBEE_TRY(rbee_hparams_u32(r, used, &m->n_expert_used));
  RBEE_TRY(rbee_hparams_u32(r, gguf ? "expert_feed_forward_length" : "moe_intermediate_size", &m->n_ff_exp));
  if (m->n_expert_used > m->n_expert || m->n_expert_used > 32)
    return rbee_fail(r->err, RBEE_ERROR_UNSUPPORTED, "%s%s: %u experts per token, but the model has %u (and at most 32 are supported)",
                     r->prefix, used, m->n_expert_used, m->n_expert);
  if (qwen2moe) {
    m->n_ff_shexp = gguf ? m->n_ff_exp : 0; /* llama.cpp's default when the key is absent */
    RBEE_TRY(rbee_hparams_u32(r, gguf ? "expert_shared_feed_forward_length" : "shared_expert_intermediate_size", &m->n_ff_shexp));
  }
  /* llama.cpp renormalizes for qwen3moe and not for qwen2moe; transformers reads norm_topk_prob. */
  m->norm_topk = !qwen2moe && gguf;
  RBEE_TRY(rbee_hparams_bool(r, gguf ? "expert_weights_norm" : "norm_topk_prob", &m->norm_topk));

  uint32_t step = 1;
  uint64_t n_only = 0;
  if (!gguf) {
    RBEE_TRY(rbee_hparams_u32(r, "decoder_sparse_step", &step));
    if (rbee_hparams_has(r, "mlp_only_layers") &&
        r->api->get_array_len(r->src, "mlp_only_layers", &n_only) != RBEE_OK)
      return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "mlp_only_layers: expected an array of layer indices");
  }
  m->sparse = calloc(m->n_layer, 1);
  if (m->sparse == NULL) return rbee_fail(r->err, RBEE_ERROR_OUT_OF_MEMORY, "out of memory");
  for (uint32_t l = 0; l < m->n_layer; ++l) m->sparse[l] = gguf ? gguf_has_router(r, m, l) : (l + 1) % step == 0;
  for (uint64_t i = 0; i < n_only; ++i) {
    double v = -1;
    if (r->api->get_array_float(r->src, "mlp_only_layers", i, &v) != RBEE_OK || !(v >= 0 && v < 1e9) || v != floor(v))
      return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "mlp_only_layers[%llu]: expected a layer index", (unsigned long long)i);
    if (v < m->n_layer) m->sparse[(uint32_t)v] = 0; /* transformers ignores indices past the last layer */
  }
  for (uint32_t l = 0; l < m->n_layer; ++l)
    if (!m->sparse[l] && m->n_ff == 0)
      return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%s%s: missing, and layer %u uses the dense MLP", r->prefix,
                       gguf ? "feed_forward_length" : "intermediate_size", l);
  return RBEE_OK;
}

rbee_status qwen_read_hparams(const rbee_source* src, qwen_model* m, rbee_error* err) {
  rbee_hparams r;
  RBEE_TRY(rbee_hparams_open(&r, qwen_host->source, src, err));
  int gguf = r.format == RBEE_FORMAT_GGUF;
  m->names = qwen_names_for(r.format);
  const char* arch = architecture(&r);
  int qwen2moe = !strcmp(arch, "qwen2moe") || !strcmp(arch, "qwen2_moe");
  int qwen3moe = !strcmp(arch, "qwen3moe") || !strcmp(arch, "qwen3_moe");
  m->qk_norm = !strcmp(arch, "qwen3") || qwen3moe;
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
  /* An MoE model needs the dense size only for its dense layers (checked in read_experts). */
  const char* ff = gguf ? "feed_forward_length" : "intermediate_size";
  if (!(qwen2moe || qwen3moe) || rbee_hparams_has(&r, ff)) RBEE_TRY(rbee_hparams_u32(&r, ff, &m->n_ff));
  RBEE_TRY(rbee_hparams_u32(&r, gguf ? "context_length" : "max_position_embeddings", &m->n_ctx_train));
  RBEE_TRY(rbee_hparams_float(&r, gguf ? "attention.layer_norm_rms_epsilon" : "rms_norm_eps", &m->norm_eps));
  RBEE_TRY(rbee_hparams_float(&r, gguf ? "rope.freq_base" : "rope_theta", &m->rope.theta));
  if (!gguf) { /* transformers 5 spells RoPE settings this way; only its default type is read here */
    const char* rope_type = NULL;
    RBEE_TRY(rbee_hparams_float(&r, "rope_parameters.rope_theta", &m->rope.theta));
    RBEE_TRY(rbee_hparams_string(&r, "rope_parameters.rope_type", &rope_type));
    if (rope_type && strcmp(rope_type, "default") != 0)
      return rbee_fail(err, RBEE_ERROR_UNSUPPORTED, "rope_parameters.rope_type: \"%s\" is not supported", rope_type);
  }
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
  if (qwen2moe || qwen3moe) RBEE_TRY(read_experts(&r, m, qwen2moe));
  return read_windows(&r, m);
}

rbee_status qwen_describe(const qwen_model* m, rbee_describe_fn emit, void* ctx) {
  static const char* scaling[] = {"none", "linear", "llama3"};
  rbee_emitf(emit, ctx, "vocab", "%u", m->n_vocab);
  rbee_emitf(emit, ctx, "hidden", "%u", m->n_embd);
  rbee_emitf(emit, ctx, "layers", "%u", m->n_layer);
  rbee_emitf(emit, ctx, "heads", "%u", m->n_head);
  rbee_emitf(emit, ctx, "kv_heads", "%u", m->n_head_kv);
  rbee_emitf(emit, ctx, "head_dim", "%u", m->head_dim);
  if (m->n_ff) {
    rbee_emitf(emit, ctx, "ffn", "%u", m->n_ff);
  }
  rbee_emitf(emit, ctx, "context_train", "%u", m->n_ctx_train);
  rbee_emitf(emit, ctx, "norm_eps", "%g", m->norm_eps);
  rbee_emitf(emit, ctx, "qk_norm", "%s", m->qk_norm ? "per head" : "none");
  rbee_emitf(emit, ctx, "rope_theta", "%g", m->rope.theta);
  rbee_emitf(emit, ctx, "rope_dims", "%u", m->rope.n_rot);
  rbee_emitf(emit, ctx, "rope_scaling", "%s", scaling[m->rope.scaling]);
  if (m->rope.scaling != RBEE_ROPE_SCALING_NONE) {
    rbee_emitf(emit, ctx, "rope_factor", "%g", m->rope.factor);
  }
  if (m->n_expert) {
    uint32_t sparse = 0;
    for (uint32_t l = 0; l < m->n_layer; ++l) sparse += m->sparse[l];
    rbee_emitf(emit, ctx, "experts", "%u", m->n_expert);
    rbee_emitf(emit, ctx, "experts_used", "%u", m->n_expert_used);
    rbee_emitf(emit, ctx, "expert_ffn", "%u", m->n_ff_exp);
    if (m->n_ff_shexp) {
      rbee_emitf(emit, ctx, "shared_ffn", "%u", m->n_ff_shexp);
    }
    rbee_emitf(emit, ctx, "expert_weights", "%s", m->norm_topk ? "renormalized" : "softmax");
    rbee_emitf(emit, ctx, "moe_layers", "%u", sparse);
  }
  uint32_t sliding = 0, window = 0;
  for (uint32_t l = 0; m->window && l < m->n_layer; ++l)
    if (m->window[l]) sliding++, window = m->window[l];
  if (sliding) {
    rbee_emitf(emit, ctx, "sliding_layers", "%u", sliding);
    rbee_emitf(emit, ctx, "sliding_window", "%u", window);
  }
  return RBEE_OK;
}
