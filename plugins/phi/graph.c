/* The Phi forward pass. Phi-2: x + attention(ln(x)) + mlp(ln(x)), one LayerNorm per layer, GELU
 * MLP, biases everywhere. Phi-3: pre-norm attention then a SwiGLU MLP, as llama, but with fused
 * qkv and gate_up projections and LongRoPE. Both rotate part or all of each head (NEOX order). */
#include <math.h>

#include "phi.h"

typedef struct builder {
  const rbee_graph_api* api;
  rbee_graph* g;
  const phi_model* m;
  rbee_rope_params rope_q; /* this run's RoPE: LongRoPE's factors depend on the context */
  rbee_rope_params rope_k;
  rbee_tensor rope_factors; /* GGUF LongRoPE factors, or RBEE_TENSOR_NONE */
} builder;

static rbee_tensor weight(const builder* b, const char* pattern, uint32_t layer) {
  return rbee_layer_weight(b->api, b->g, pattern, layer);
}

/* An optional tensor (biases): RBEE_TENSOR_NONE when the file or the format has none. */
static rbee_tensor optional(const builder* b, const char* pattern, uint32_t layer) {
  return rbee_layer_weight_optional(b->api, b->g, pattern, layer);
}

static rbee_tensor norm(const builder* b, rbee_tensor x, rbee_tensor w, rbee_tensor bias) {
  rbee_norm_params p = {
      .struct_size = sizeof p,
      .kind = b->m->generation == PHI_2 ? RBEE_NORM_LAYER : RBEE_NORM_RMS,
      .eps = b->m->norm_eps,
  };
  return b->api->norm(b->g, x, w, bias, &p);
}

/* LongRoPE: the long factors once the run's context exceeds the original one (llama.cpp's
 * choice), given by value (config.json) or as the file's tensor (GGUF). */
static void setup_rope(builder* b) {
  const phi_model* m = b->m;
  const phi_longrope* lr = &m->longrope;
  b->rope_q = m->rope;
  b->rope_factors = RBEE_TENSOR_NONE;
  if (lr->enabled) {
    int use_long = b->api->n_ctx(b->g) > lr->original_max;
    b->rope_q.attn_factor = lr->attn_factor;
    if (lr->long_factors != NULL) {
      b->rope_q.factors = use_long ? lr->long_factors : lr->short_factors;
      b->rope_q.n_factors = m->rope.n_rot / 2;
    } else {
      b->rope_factors = b->api->weight(b->g, use_long ? m->names->rope_factors_long : m->names->rope_factors_short);
    }
  }
  b->rope_k = b->rope_q;
  b->rope_k.n_heads = m->n_head_kv;
}

/* Q, K and V from the fused projection ([q; k; v] rows) when the file has it, else from three. */
static void project_qkv(const builder* b, rbee_tensor x, uint32_t l, rbee_tensor* q, rbee_tensor* k, rbee_tensor* v) {
  const phi_model* m = b->m;
  const phi_names* n = m->names;
  uint32_t q_cols = m->n_head * m->head_dim, kv_cols = m->n_head_kv * m->head_dim;
  rbee_tensor qkv_w = optional(b, n->attn_qkv, l);
  if (qkv_w != RBEE_TENSOR_NONE) {
    rbee_tensor qkv = b->api->linear(b->g, x, qkv_w, optional(b, n->attn_qkv_bias, l));
    *q = b->api->slice(b->g, qkv, 1, 0, q_cols);
    *k = b->api->slice(b->g, qkv, 1, q_cols, kv_cols);
    *v = b->api->slice(b->g, qkv, 1, q_cols + kv_cols, kv_cols);
    return;
  }
  *q = b->api->linear(b->g, x, weight(b, n->attn_q, l), optional(b, n->attn_q_bias, l));
  *k = b->api->linear(b->g, x, weight(b, n->attn_k, l), optional(b, n->attn_k_bias, l));
  *v = b->api->linear(b->g, x, weight(b, n->attn_v, l), optional(b, n->attn_v_bias, l));
}

static rbee_tensor attention(const builder* b, rbee_tensor x, uint32_t l) {
  const phi_model* m = b->m;
  rbee_tensor q, k, v;
  project_qkv(b, x, l, &q, &k, &v);
  q = b->api->rope(b->g, q, b->rope_factors, &b->rope_q);
  k = b->api->rope(b->g, k, b->rope_factors, &b->rope_k);
  rbee_attention_params p = {
      .struct_size = sizeof p,
      .layer = l,
      .n_heads = m->n_head,
      .n_kv_heads = m->n_head_kv,
      .head_dim_k = m->head_dim,
      .head_dim_v = m->head_dim,
      .scale = 1.0f / sqrtf((float)m->head_dim),
      .window = m->sliding_window,
  };
  rbee_tensor o = b->api->attention(b->g, q, k, v, &p);
  return b->api->linear(b->g, o, weight(b, m->names->attn_out, l), optional(b, m->names->attn_out_bias, l));
}

/* Phi-2: fc1 -> gelu_new (tanh approximation) -> fc2. Phi-3: gate_up -> silu(gate) * up -> down. */
static rbee_tensor mlp(const builder* b, rbee_tensor x, uint32_t l) {
  const phi_model* m = b->m;
  const phi_names* n = m->names;
  rbee_tensor up = b->api->linear(b->g, x, weight(b, n->ffn_up, l), optional(b, n->ffn_up_bias, l));
  rbee_tensor h = m->generation == PHI_2
                      ? b->api->unary(b->g, up, RBEE_UNARY_GELU_TANH)
                      : b->api->gated(b->g, b->api->slice(b->g, up, 1, 0, m->n_ff), b->api->slice(b->g, up, 1, m->n_ff, m->n_ff),
                                      RBEE_UNARY_SILU);
  return b->api->linear(b->g, h, weight(b, n->ffn_down, l), optional(b, n->ffn_down_bias, l));
}

static rbee_tensor layer(const builder* b, rbee_tensor x, uint32_t l) {
  const phi_names* n = b->m->names;
  rbee_tensor h = norm(b, x, weight(b, n->attn_norm, l), optional(b, n->attn_norm_bias, l));
  if (b->m->generation == PHI_2) {
    rbee_tensor both = b->api->binary(b->g, attention(b, h, l), mlp(b, h, l), RBEE_BINARY_ADD);
    return b->api->binary(b->g, x, both, RBEE_BINARY_ADD);
  }
  x = b->api->binary(b->g, x, attention(b, h, l), RBEE_BINARY_ADD);
  h = norm(b, x, weight(b, n->ffn_norm, l), RBEE_TENSOR_NONE);
  return b->api->binary(b->g, x, mlp(b, h, l), RBEE_BINARY_ADD);
}

rbee_status phi_build_graph(const phi_model* m, rbee_graph* g, rbee_error* err) {
  builder b = {.api = phi_host->graph, .g = g, .m = m};
  const phi_names* n = m->names;
  setup_rope(&b);
  rbee_tensor embd = b.api->weight(g, n->token_embd);
  rbee_tensor x = b.api->embed(g, embd, b.api->input_tokens(g));
  for (uint32_t l = 0; l < m->n_layer; ++l) x = layer(&b, x, l);
  x = b.api->output_rows(g, x);
  x = norm(&b, x, b.api->weight(g, n->output_norm), optional(&b, n->output_norm_bias, 0));
  /* Tied embeddings (Phi-4-mini): no separate output matrix in the file. */
  rbee_tensor out = b.api->has_weight(g, n->output) ? b.api->weight(g, n->output) : embd;
  b.api->set_output(g, b.api->linear(g, x, out, optional(&b, n->output_bias, 0)));

  const char* message = b.api->graph_error(g);
  return message ? rbee_fail(err, RBEE_ERROR_BAD_MODEL, "%s", message) : RBEE_OK;
}
