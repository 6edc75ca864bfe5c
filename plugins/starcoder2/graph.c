/* The StarCoder2 forward pass: pre-norm blocks, x + attention(ln(x)) then x + mlp(ln(x)), with
 * LayerNorms with bias, q/k/v/o projections and a c_fc -> GELU -> c_proj MLP (biases when the
 * file has them), NEOX RoPE over whole heads, GQA and an optional sliding window. */
#include <math.h>

#include "starcoder2.h"

typedef struct builder {
  const rbee_graph_api* api;
  rbee_graph* g;
  const sc2_model* m;
} builder;

static rbee_tensor weight(const builder* b, const char* pattern, uint32_t l) { return rbee_layer_weight(b->api, b->g, pattern, l); }
static rbee_tensor optional(const builder* b, const char* pattern, uint32_t l) {
  return rbee_layer_weight_optional(b->api, b->g, pattern, l);
}

static rbee_tensor norm(const builder* b, rbee_tensor x, const char* w, const char* bias, uint32_t l) {
  rbee_norm_params p = {.struct_size = sizeof p, .kind = RBEE_NORM_LAYER, .eps = b->m->norm_eps};
  return b->api->norm(b->g, x, weight(b, w, l), optional(b, bias, l), &p);
}

static rbee_tensor linear(const builder* b, rbee_tensor x, const char* w, const char* bias, uint32_t l) {
  return b->api->linear(b->g, x, weight(b, w, l), optional(b, bias, l));
}

static rbee_tensor attention(const builder* b, rbee_tensor x, uint32_t l) {
  const sc2_model* m = b->m;
  const sc2_names* n = m->names;
  rbee_rope_params rope_k = m->rope;
  rope_k.n_heads = m->n_head_kv;
  rbee_tensor q = b->api->rope(b->g, linear(b, x, n->attn_q, n->attn_q_bias, l), RBEE_TENSOR_NONE, &m->rope);
  rbee_tensor k = b->api->rope(b->g, linear(b, x, n->attn_k, n->attn_k_bias, l), RBEE_TENSOR_NONE, &rope_k);
  rbee_tensor v = linear(b, x, n->attn_v, n->attn_v_bias, l);
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
  return linear(b, b->api->attention(b->g, q, k, v, &p), n->attn_out, n->attn_out_bias, l);
}

static rbee_tensor mlp(const builder* b, rbee_tensor x, uint32_t l) {
  const sc2_names* n = b->m->names;
  rbee_tensor h = b->api->unary(b->g, linear(b, x, n->ffn_up, n->ffn_up_bias, l), b->m->act);
  return linear(b, h, n->ffn_down, n->ffn_down_bias, l);
}

rbee_status sc2_build_graph(const sc2_model* m, rbee_graph* g, rbee_error* err) {
  builder b = {.api = sc2_host->graph, .g = g, .m = m};
  const sc2_names* n = m->names;
  rbee_tensor embd = b.api->weight(g, n->token_embd);
  rbee_tensor x = b.api->embed(g, embd, b.api->input_tokens(g));
  for (uint32_t l = 0; l < m->n_layer; ++l) {
    x = b.api->binary(g, x, attention(&b, norm(&b, x, n->attn_norm, n->attn_norm_bias, l), l), RBEE_BINARY_ADD);
    x = b.api->binary(g, x, mlp(&b, norm(&b, x, n->ffn_norm, n->ffn_norm_bias, l), l), RBEE_BINARY_ADD);
  }
  x = b.api->output_rows(g, x);
  x = norm(&b, x, n->output_norm, n->output_norm_bias, 0);
  /* Tied embeddings (tie_word_embeddings, StarCoder2-3B/7B): no output matrix in the file. */
  rbee_tensor out = b.api->has_weight(g, n->output) ? b.api->weight(g, n->output) : embd;
  b.api->set_output(g, b.api->linear(g, x, out, RBEE_TENSOR_NONE));

  const char* message = b.api->graph_error(g);
  return message ? rbee_fail(err, RBEE_ERROR_BAD_MODEL, "%s", message) : RBEE_OK;
}
