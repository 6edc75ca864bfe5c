/* The qwen forward pass: pre-norm attention with Q/K/V biases (Qwen2, Qwen2-MoE) or per-head
 * Q/K norms (Qwen3, Qwen3-MoE), RoPE on halves, GQA and optional sliding windows, then a SwiGLU
 * MLP or, on the MoE models' sparse layers, routed SwiGLU experts (plus Qwen2-MoE's gated shared
 * expert). */
#include <math.h>
#include <stdio.h>

#include "qwen.h"

typedef struct builder {
  const rbee_graph_api* api;
  rbee_graph* g;
} builder;

static rbee_tensor weight(const builder* b, const char* pattern, uint32_t layer) {
  return rbee_layer_weight(b->api, b->g, pattern, layer);
}

/* An optional tensor (biases): RBEE_TENSOR_NONE when the file has none. */
static rbee_tensor optional(const builder* b, const char* pattern, uint32_t layer) {
  return rbee_layer_weight_optional(b->api, b->g, pattern, layer);
}

/* RMS norm of whole rows (group_size 0) or of each run of group_size columns (one head). */
static rbee_tensor rms_norm(const builder* b, const qwen_model* m, rbee_tensor x, rbee_tensor w, uint32_t group_size) {
  rbee_norm_params p = {.struct_size = sizeof p, .kind = RBEE_NORM_RMS, .eps = m->norm_eps, .group_size = group_size};
  return b->api->norm(b->g, x, w, RBEE_TENSOR_NONE, &p);
}

static rbee_tensor attention(const builder* b, const qwen_model* m, rbee_tensor x, uint32_t l) {
  const qwen_names* n = m->names;
  rbee_tensor q = b->api->linear(b->g, x, weight(b, n->attn_q, l), optional(b, n->attn_q_bias, l));
  rbee_tensor k = b->api->linear(b->g, x, weight(b, n->attn_k, l), optional(b, n->attn_k_bias, l));
  rbee_tensor v = b->api->linear(b->g, x, weight(b, n->attn_v, l), optional(b, n->attn_v_bias, l));
  if (m->qk_norm) {
    q = rms_norm(b, m, q, weight(b, n->attn_q_norm, l), m->head_dim);
    k = rms_norm(b, m, k, weight(b, n->attn_k_norm, l), m->head_dim);
  }
  rbee_rope_params rope_k = m->rope;
  rope_k.n_heads = m->n_head_kv;
  q = b->api->rope(b->g, q, RBEE_TENSOR_NONE, &m->rope);
  k = b->api->rope(b->g, k, RBEE_TENSOR_NONE, &rope_k);
  rbee_attention_params p = {
      .struct_size = sizeof p,
      .layer = l,
      .n_heads = m->n_head,
      .n_kv_heads = m->n_head_kv,
      .head_dim_k = m->head_dim,
      .head_dim_v = m->head_dim,
      .scale = 1.0f / sqrtf((float)m->head_dim),
      .window = m->window ? m->window[l] : 0,
  };
  rbee_tensor o = b->api->attention(b->g, q, k, v, &p);
  return b->api->linear(b->g, o, weight(b, n->attn_out, l), optional(b, n->attn_out_bias, l));
}

/* A SwiGLU feed-forward block from its three projections' name patterns: the dense MLP, and
 * Qwen2-MoE's shared expert. */
static rbee_tensor mlp(const builder* b, rbee_tensor x, const char* gate_w, const char* up_w, const char* down_w, uint32_t l) {
  rbee_tensor gate = b->api->linear(b->g, x, weight(b, gate_w, l), RBEE_TENSOR_NONE);
  rbee_tensor up = b->api->linear(b->g, x, weight(b, up_w, l), RBEE_TENSOR_NONE);
  rbee_tensor h = b->api->gated(b->g, gate, up, RBEE_UNARY_SILU);
  return b->api->linear(b->g, h, weight(b, down_w, l), RBEE_TENSOR_NONE);
}

/* One projection of all experts of layer l: the pattern takes the layer and keeps %u for the
 * expert (safetensors), or names the stacked 3-D tensor (GGUF). */
static rbee_tensor experts(const builder* b, const qwen_model* m, const char* pattern, uint32_t l) {
  char name[RBEE_NAME_MAX];
  snprintf(name, sizeof name, pattern, l);
  return b->api->experts(b->g, name, m->n_expert);
}

/* A sparse layer's feed-forward block: softmax routing to the n_used best experts (their weights
 * renormalized when norm_topk_prob says so), each a SwiGLU of moe_intermediate_size, summed by
 * weight; Qwen2-MoE adds its shared expert scaled per token by sigmoid(shared_expert_gate(x)). */
static rbee_tensor moe(const builder* b, const qwen_model* m, rbee_tensor x, uint32_t l) {
  const qwen_names* n = m->names;
  rbee_moe_route_params p = {.struct_size = sizeof p,
                             .n_expert = m->n_expert,
                             .n_used = m->n_expert_used,
                             .gating = RBEE_MOE_SOFTMAX,
                             .normalize = (uint32_t)m->norm_topk};
  rbee_tensor logits = b->api->linear(b->g, x, weight(b, n->ffn_gate_inp, l), RBEE_TENSOR_NONE);
  rbee_tensor route = b->api->moe_route(b->g, logits, RBEE_TENSOR_NONE, &p);
  rbee_tensor gate = b->api->moe_linear(b->g, x, experts(b, m, n->ffn_gate_exps, l), route);
  rbee_tensor up = b->api->moe_linear(b->g, x, experts(b, m, n->ffn_up_exps, l), route);
  rbee_tensor h = b->api->gated(b->g, gate, up, RBEE_UNARY_SILU);
  rbee_tensor y = b->api->moe_combine(b->g, b->api->moe_linear(b->g, h, experts(b, m, n->ffn_down_exps, l), route), route);
  if (m->n_ff_shexp == 0) return y;
  rbee_tensor shared = mlp(b, x, n->ffn_gate_shexp, n->ffn_up_shexp, n->ffn_down_shexp, l);
  rbee_tensor shared_gate = b->api->linear(b->g, x, weight(b, n->ffn_gate_inp_shexp, l), RBEE_TENSOR_NONE); /* [n, 1] */
  shared = b->api->binary(b->g, shared, b->api->unary(b->g, shared_gate, RBEE_UNARY_SIGMOID), RBEE_BINARY_MUL);
  return b->api->binary(b->g, y, shared, RBEE_BINARY_ADD);
}

rbee_status qwen_build_graph(const qwen_model* m, rbee_graph* g, rbee_error* err) {
  builder b = {qwen_host->graph, g};
  const qwen_names* n = m->names;
  rbee_tensor embd = b.api->weight(g, n->token_embd);
  rbee_tensor x = b.api->embed(g, embd, b.api->input_tokens(g));

  for (uint32_t l = 0; l < m->n_layer; ++l) {
    rbee_tensor h = rms_norm(&b, m, x, weight(&b, n->attn_norm, l), 0);
    x = b.api->binary(g, x, attention(&b, m, h, l), RBEE_BINARY_ADD);
    h = rms_norm(&b, m, x, weight(&b, n->ffn_norm, l), 0);
    rbee_tensor ffn = m->sparse && m->sparse[l] ? moe(&b, m, h, l) : mlp(&b, h, n->ffn_gate, n->ffn_up, n->ffn_down, l);
    x = b.api->binary(g, x, ffn, RBEE_BINARY_ADD);
  }
  x = b.api->output_rows(g, x);
  x = rms_norm(&b, m, x, b.api->weight(g, n->output_norm), 0);
  /* Tied embeddings (most small Qwen models): no separate output matrix in the file. */
  rbee_tensor out = b.api->has_weight(g, n->output) ? b.api->weight(g, n->output) : embd;
  b.api->set_output(g, b.api->linear(g, x, out, RBEE_TENSOR_NONE));

  const char* message = b.api->graph_error(g);
  return message ? rbee_fail(err, RBEE_ERROR_BAD_MODEL, "%s", message) : RBEE_OK;
}
