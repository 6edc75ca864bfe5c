/* Family helpers (header-only, compiled into the plugin; not part of the ABI): graph building
 * blocks in the spirit of llama.cpp's build_norm/build_attn/build_ffn/build_moe_ffn. Each takes
 * the builder, reads tensors by id (family/names.h) and leaves failures on the graph. */
#ifndef RBEE_FAMILY_BLOCKS_H
#define RBEE_FAMILY_BLOCKS_H

#include <math.h>
#include <stdio.h>

#include "rbee/family/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What a family's build() works with; valid during build_graph only. */
struct rbee_builder {
  const rbee_graph_api* api;
  const rbee_graph_moe_api* moe;     /* NULL unless the family uses the extension */
  const rbee_graph_heads_api* heads; /* NULL unless the family uses the extension */
  const rbee_graph_experts_api* experts; /* NULL unless the family uses the extension */
  rbee_graph* g;
  const rbee_family_model* m;
};

/* The file's name of tensor id for the layer into buf; 0 when the format has no such tensor. */
static inline int rbee_tensor_file_name(const rbee_builder* b, rbee_tensor_id id, uint32_t layer, char* buf, size_t cap) {
  const char* pattern = rbee_model_tensor_name(b->m, id);
  if (pattern[0] == '\0') return 0;
  snprintf(buf, cap, pattern, layer);
  return 1;
}

/* A required tensor (the graph records an error naming it when the file lacks it). */
static inline rbee_tensor rbee_weight(const rbee_builder* b, rbee_tensor_id id, uint32_t layer) {
  char name[RBEE_NAME_MAX];
  if (!rbee_tensor_file_name(b, id, layer, name, sizeof name)) snprintf(name, sizeof name, "(tensor %d: none in this format)", (int)id);
  return b->api->weight(b->g, name);
}

/* 1 when the file has the tensor. */
static inline int rbee_has_weight(const rbee_builder* b, rbee_tensor_id id, uint32_t layer) {
  char name[RBEE_NAME_MAX];
  return rbee_tensor_file_name(b, id, layer, name, sizeof name) && b->api->has_weight(b->g, name);
}

/* An optional tensor (biases, tied outputs): RBEE_TENSOR_NONE when the file has none. */
static inline rbee_tensor rbee_weight_optional(const rbee_builder* b, rbee_tensor_id id, uint32_t layer) {
  return rbee_has_weight(b, id, layer) ? rbee_weight(b, id, layer) : RBEE_TENSOR_NONE;
}

/* One projection of all experts of a layer: GGUF's stacked 3-D tensor, or safetensors' per-expert
 * tensors (the name keeps %u for the expert). Also MLA's split per-head matrices (n = heads). */
static inline rbee_tensor rbee_experts(const rbee_builder* b, rbee_tensor_id id, uint32_t layer, uint32_t n) {
  char name[RBEE_NAME_MAX];
  rbee_tensor_file_name(b, id, layer, name, sizeof name);
  return b->moe->experts(b->g, name, n);
}

static inline rbee_tensor rbee_add(const rbee_builder* b, rbee_tensor x, rbee_tensor y) {
  return b->api->binary(b->g, x, y, RBEE_BINARY_ADD);
}

static inline rbee_tensor rbee_linear(const rbee_builder* b, rbee_tensor x, rbee_tensor_id w, rbee_tensor_id bias,
                                      uint32_t layer) {
  return b->api->linear(b->g, x, rbee_weight(b, w, layer), rbee_weight_optional(b, bias, layer));
}

/* Norm parameters of the model: RMS (or LayerNorm) with its eps, whole rows. */
static inline rbee_norm_params rbee_norm_of(const rbee_family_model* m, rbee_norm_kind kind) {
  rbee_norm_params p = {.struct_size = sizeof p, .kind = kind, .eps = m->norm_eps};
  return p;
}

/* norm(x) with the weight (and bias, when the file has one) of ids w and bias. */
static inline rbee_tensor rbee_norm(const rbee_builder* b, rbee_tensor x, rbee_tensor_id w, rbee_tensor_id bias,
                                    uint32_t layer, const rbee_norm_params* p) {
  return b->api->norm(b->g, x, rbee_weight(b, w, layer), rbee_weight_optional(b, bias, layer), p);
}

/* The token embeddings of this step's ids. */
static inline rbee_tensor rbee_input_embeddings(const rbee_builder* b) {
  return b->api->embed(b->g, rbee_weight(b, RBEE_T_TOKEN_EMBD, 0), b->api->input_tokens(b->g));
}

/* The logits: the asked-for rows, the final norm, the output projection (the token embedding
 * when the file has no output matrix: tied embeddings) with its bias if any, and soft-capping
 * when softcap > 0. */
static inline void rbee_output_logits(const rbee_builder* b, rbee_tensor x, const rbee_norm_params* norm, float softcap) {
  x = b->api->output_rows(b->g, x);
  x = rbee_norm(b, x, RBEE_T_OUTPUT_NORM, RBEE_T_OUTPUT_NORM_BIAS, 0, norm);
  rbee_tensor w = rbee_has_weight(b, RBEE_T_OUTPUT, 0) ? rbee_weight(b, RBEE_T_OUTPUT, 0) : rbee_weight(b, RBEE_T_TOKEN_EMBD, 0);
  rbee_tensor logits = b->api->linear(b->g, x, w, rbee_weight_optional(b, RBEE_T_OUTPUT_BIAS, 0));
  if (softcap > 0) logits = b->api->softcap(b->g, logits, softcap);
  b->api->set_output(b->g, logits);
}

/* How one attention layer differs from plain multi-head attention. Zeroes mean the default. */
typedef struct rbee_attention_spec {
  const rbee_rope_params* rope; /* the queries' RoPE (keys: rbee_rope_for_keys); NULL: no rotation */
  rbee_tensor rope_factors;     /* frequency divisors tensor, or RBEE_TENSOR_NONE */
  const rbee_norm_params* qk_norm; /* per-head norms of Q and K (ATTN_Q_NORM, ATTN_K_NORM), or NULL */
  uint32_t qkv_groups; /* a fused ATTN_QKV holds this many runs of [q, k, v] heads (0: 1) */
  float scale;         /* 0: 1 / sqrt(head_dim) */
  float softcap;
  uint32_t window;
  int sinks; /* 1: the layer's ATTN_SINKS, a logit per query head (gpt-oss) */
} rbee_attention_spec;

/* Q, K and V of x: from the fused projection ATTN_QKV (runs of [q heads, k heads, v heads]) when
 * the file has it, else from ATTN_Q/K/V; biases when present. */
static inline void rbee_project_qkv(const rbee_builder* b, rbee_tensor x, uint32_t l, uint32_t groups, rbee_tensor* q,
                                    rbee_tensor* k, rbee_tensor* v) {
  const rbee_family_model* m = b->m;
  if (!rbee_has_weight(b, RBEE_T_ATTN_QKV, l)) {
    *q = rbee_linear(b, x, RBEE_T_ATTN_Q, RBEE_T_ATTN_Q_BIAS, l);
    *k = rbee_linear(b, x, RBEE_T_ATTN_K, RBEE_T_ATTN_K_BIAS, l);
    *v = rbee_linear(b, x, RBEE_T_ATTN_V, RBEE_T_ATTN_V_BIAS, l);
    return;
  }
  if (groups == 0) groups = 1;
  uint32_t q_cols = m->n_head / groups * m->head_dim, kv_cols = m->n_head_kv / groups * m->head_dim;
  rbee_tensor qkv = rbee_linear(b, x, RBEE_T_ATTN_QKV, RBEE_T_ATTN_QKV_BIAS, l);
  *q = b->api->slice(b->g, qkv, groups, 0, q_cols);
  *k = b->api->slice(b->g, qkv, groups, q_cols, kv_cols);
  *v = b->api->slice(b->g, qkv, groups, q_cols + kv_cols, kv_cols);
}

/* Self-attention of layer l over its KV cache, output projection included. */
static inline rbee_tensor rbee_attention_block(const rbee_builder* b, rbee_tensor x, uint32_t l, const rbee_attention_spec* s) {
  const rbee_family_model* m = b->m;
  rbee_tensor q, k, v;
  rbee_project_qkv(b, x, l, s->qkv_groups, &q, &k, &v);
  if (s->qk_norm != NULL) {
    q = rbee_norm(b, q, RBEE_T_ATTN_Q_NORM, RBEE_T_NONE, l, s->qk_norm);
    k = rbee_norm(b, k, RBEE_T_ATTN_K_NORM, RBEE_T_NONE, l, s->qk_norm);
  }
  if (s->rope != NULL) {
    rbee_rope_params rope_k = rbee_rope_for_keys(m, s->rope);
    q = b->api->rope(b->g, q, s->rope_factors, s->rope);
    k = b->api->rope(b->g, k, s->rope_factors, &rope_k);
  }
  rbee_attention_params p = {
      .struct_size = sizeof p,
      .layer = l,
      .n_heads = m->n_head,
      .n_kv_heads = m->n_head_kv,
      .head_dim_k = m->head_dim,
      .head_dim_v = m->head_dim,
      .scale = s->scale > 0 ? s->scale : 1.0f / sqrtf((float)m->head_dim),
      .softcap = s->softcap,
      .window = s->window,
      .sinks = s->sinks ? rbee_weight(b, RBEE_T_ATTN_SINKS, l) : RBEE_TENSOR_NONE,
  };
  return rbee_linear(b, b->api->attention(b->g, q, k, v, &p), RBEE_T_ATTN_OUT, RBEE_T_ATTN_OUT_BIAS, l);
}

/* act(gate(x)) * up(x) -> down: a gated feed-forward block from its three projections (the
 * dense MLP with FFN_GATE/UP/DOWN, a shared expert with the SHEXP ids). */
static inline rbee_tensor rbee_gated_ffn(const rbee_builder* b, rbee_tensor x, uint32_t l, rbee_tensor_id gate,
                                         rbee_tensor_id up, rbee_tensor_id down, rbee_unary_op act) {
  rbee_tensor g = rbee_linear(b, x, gate, RBEE_T_NONE, l); /* first: a missing gate is the error named */
  rbee_tensor h = b->api->gated(b->g, g, rbee_linear(b, x, up, RBEE_T_NONE, l), act);
  return rbee_linear(b, h, down, RBEE_T_NONE, l);
}

/* The same with gate and up fused in FFN_UP ([gate; up] rows, n_ff each: Phi-3's gate_up_proj). */
static inline rbee_tensor rbee_fused_gated_ffn(const rbee_builder* b, rbee_tensor x, uint32_t l, rbee_unary_op act) {
  uint32_t n_ff = b->m->n_ff;
  rbee_tensor up = rbee_linear(b, x, RBEE_T_FFN_UP, RBEE_T_FFN_UP_BIAS, l);
  rbee_tensor h = b->api->gated(b->g, b->api->slice(b->g, up, 1, 0, n_ff), b->api->slice(b->g, up, 1, n_ff, n_ff), act);
  return rbee_linear(b, h, RBEE_T_FFN_DOWN, RBEE_T_FFN_DOWN_BIAS, l);
}

/* up -> act -> down, biases when present (GPT-style MLPs). */
static inline rbee_tensor rbee_plain_ffn(const rbee_builder* b, rbee_tensor x, uint32_t l, rbee_unary_op act) {
  rbee_tensor h = b->api->unary(b->g, rbee_linear(b, x, RBEE_T_FFN_UP, RBEE_T_FFN_UP_BIAS, l), act);
  return rbee_linear(b, h, RBEE_T_FFN_DOWN, RBEE_T_FFN_DOWN_BIAS, l);
}

/* Routed experts: the router FFN_GATE_INP, choice by params (FFN_EXP_PROBS_B biases the choice
 * when the file has it), each chosen expert a gated FFN of FFN_GATE/UP/DOWN_EXPS, combined by
 * weight. */
static inline rbee_tensor rbee_moe_ffn(const rbee_builder* b, rbee_tensor x, uint32_t l, const rbee_moe_route_params* params,
                                       rbee_unary_op act) {
  const rbee_graph_moe_api* moe = b->moe;
  uint32_t n = b->m->n_expert;
  rbee_tensor logits = rbee_linear(b, x, RBEE_T_FFN_GATE_INP, RBEE_T_NONE, l);
  rbee_tensor route = moe->moe_route(b->g, logits, rbee_weight_optional(b, RBEE_T_FFN_EXP_PROBS_B, l), params);
  rbee_tensor gate = moe->moe_linear(b->g, x, rbee_experts(b, RBEE_T_FFN_GATE_EXPS, l, n), route);
  rbee_tensor up = moe->moe_linear(b->g, x, rbee_experts(b, RBEE_T_FFN_UP_EXPS, l, n), route);
  rbee_tensor h = b->api->gated(b->g, gate, up, act);
  return moe->moe_combine(b->g, moe->moe_linear(b->g, h, rbee_experts(b, RBEE_T_FFN_DOWN_EXPS, l, n), route), route);
}

/* The shared expert every token also goes through, scaled per token by sigmoid of its gate
 * (FFN_GATE_INP_SHEXP, Qwen2-MoE) when the file has one. */
static inline rbee_tensor rbee_shared_expert(const rbee_builder* b, rbee_tensor x, uint32_t l, rbee_unary_op act) {
  rbee_tensor y = rbee_gated_ffn(b, x, l, RBEE_T_FFN_GATE_SHEXP, RBEE_T_FFN_UP_SHEXP, RBEE_T_FFN_DOWN_SHEXP, act);
  if (!rbee_has_weight(b, RBEE_T_FFN_GATE_INP_SHEXP, l)) return y;
  rbee_tensor gate = rbee_linear(b, x, RBEE_T_FFN_GATE_INP_SHEXP, RBEE_T_NONE, l); /* [n, 1] */
  return b->api->binary(b->g, y, b->api->unary(b->g, gate, RBEE_UNARY_SIGMOID), RBEE_BINARY_MUL);
}

#ifdef __cplusplus
}
#endif
#endif
