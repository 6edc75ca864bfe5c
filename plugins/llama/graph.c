/* The llama forward pass: pre-norm attention with RoPE (skipped in SmolLM3's no-RoPE layers)
 * and GQA, then a SwiGLU MLP (Mixtral: a mixture of them). */
#include <math.h>

#include "llama.h"

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

static rbee_tensor rms_norm(const builder* b, const llama_model* m, rbee_tensor x, rbee_tensor w) {
  rbee_norm_params p = {.struct_size = sizeof p, .kind = RBEE_NORM_RMS, .eps = m->norm_eps};
  return b->api->norm(b->g, x, w, RBEE_TENSOR_NONE, &p);
}

static rbee_tensor attention(const builder* b, const llama_model* m, rbee_tensor x, uint32_t l, rbee_tensor freqs) {
  const llama_names* n = m->names;
  rbee_tensor q = b->api->linear(b->g, x, weight(b, n->attn_q, l), optional(b, n->attn_q_bias, l));
  rbee_tensor k = b->api->linear(b->g, x, weight(b, n->attn_k, l), optional(b, n->attn_k_bias, l));
  rbee_tensor v = b->api->linear(b->g, x, weight(b, n->attn_v, l), optional(b, n->attn_v_bias, l));
  rbee_rope_params rope_k = m->rope;
  rope_k.n_heads = m->n_head_kv;
  if (m->use_rope == NULL || m->use_rope[l]) {
    q = b->api->rope(b->g, q, freqs, &m->rope);
    k = b->api->rope(b->g, k, freqs, &rope_k);
  }
  rbee_attention_params p = {
      .struct_size = sizeof p,
      .layer = l,
      .n_heads = m->n_head,
      .n_kv_heads = m->n_head_kv,
      .head_dim_k = m->head_dim,
      .head_dim_v = m->head_dim,
      .scale = 1.0f / sqrtf((float)m->head_dim),
  };
  rbee_tensor o = b->api->attention(b->g, q, k, v, &p);
  return b->api->linear(b->g, o, weight(b, n->attn_out, l), optional(b, n->attn_out_bias, l));
}

static rbee_tensor mlp(const builder* b, const llama_model* m, rbee_tensor x, uint32_t l) {
  const llama_names* n = m->names;
  rbee_tensor gate = b->api->linear(b->g, x, weight(b, n->ffn_gate, l), RBEE_TENSOR_NONE);
  rbee_tensor up = b->api->linear(b->g, x, weight(b, n->ffn_up, l), RBEE_TENSOR_NONE);
  rbee_tensor h = b->api->gated(b->g, gate, up, RBEE_UNARY_SILU);
  return b->api->linear(b->g, h, weight(b, n->ffn_down, l), RBEE_TENSOR_NONE);
}

static rbee_tensor experts(const builder* b, const llama_model* m, const char* pattern, uint32_t layer) {
  return rbee_layer_experts(b->api, b->g, pattern, layer, m->n_expert);
}

/* Mixtral's sparse MLP: softmax router, the best n_expert_used experts renormalized, each a
 * SwiGLU MLP of its own. */
static rbee_tensor moe_mlp(const builder* b, const llama_model* m, rbee_tensor x, uint32_t l) {
  const llama_names* n = m->names;
  rbee_tensor logits = b->api->linear(b->g, x, weight(b, n->ffn_router, l), RBEE_TENSOR_NONE);
  rbee_moe_route_params p = {.struct_size = sizeof p, .n_expert = m->n_expert, .n_used = m->n_expert_used,
                             .gating = RBEE_MOE_SOFTMAX, .normalize = 1};
  rbee_tensor route = b->api->moe_route(b->g, logits, RBEE_TENSOR_NONE, &p);
  rbee_tensor gate = b->api->moe_linear(b->g, x, experts(b, m, n->ffn_gate_experts, l), route);
  rbee_tensor up = b->api->moe_linear(b->g, x, experts(b, m, n->ffn_up_experts, l), route);
  rbee_tensor h = b->api->gated(b->g, gate, up, RBEE_UNARY_SILU);
  rbee_tensor down = b->api->moe_linear(b->g, h, experts(b, m, n->ffn_down_experts, l), route);
  return b->api->moe_combine(b->g, down, route);
}

rbee_status llama_build_graph(const llama_model* m, rbee_graph* g, rbee_error* err) {
  builder b = {llama_host->graph, g};
  const llama_names* n = m->names;
  rbee_tensor embd = b.api->weight(g, n->token_embd);
  rbee_tensor x = b.api->embed(g, embd, b.api->input_tokens(g));
  rbee_tensor freqs = optional(&b, n->rope_freqs, 0);

  for (uint32_t l = 0; l < m->n_layer; ++l) {
    rbee_tensor h = rms_norm(&b, m, x, weight(&b, n->attn_norm, l));
    x = b.api->binary(g, x, attention(&b, m, h, l, freqs), RBEE_BINARY_ADD);
    h = rms_norm(&b, m, x, weight(&b, n->ffn_norm, l));
    x = b.api->binary(g, x, m->n_expert ? moe_mlp(&b, m, h, l) : mlp(&b, m, h, l), RBEE_BINARY_ADD);
  }
  x = b.api->output_rows(g, x);
  x = rms_norm(&b, m, x, b.api->weight(g, n->output_norm));
  /* Tied embeddings: no separate output matrix in the file. */
  rbee_tensor out = b.api->has_weight(g, n->output) ? b.api->weight(g, n->output) : embd;
  b.api->set_output(g, b.api->linear(g, x, out, RBEE_TENSOR_NONE));

  const char* message = b.api->graph_error(g);
  return message ? rbee_fail(err, RBEE_ERROR_BAD_MODEL, "%s", message) : RBEE_OK;
}
