/* The Falcon forward pass: parallel attention and MLP on one LayerNorm (7B) or on two (new
 * decoder architecture), or sequential (config.json parallel_attn false); fused qkv projection
 * (whole or grouped per KV head), NEOX RoPE over whole heads, multi-query or grouped KV heads, a
 * dense_h_to_4h -> GELU -> dense_4h_to_h MLP, biases when the file has them. */
#include <math.h>

#include "falcon.h"

typedef struct builder {
  const rbee_graph_api* api;
  rbee_graph* g;
  const falcon_model* m;
} builder;

static rbee_tensor optional(const builder* b, const char* pattern, uint32_t l) {
  return rbee_layer_weight_optional(b->api, b->g, pattern, l);
}

static rbee_tensor norm(const builder* b, rbee_tensor x, const char* w, const char* bias, uint32_t l) {
  rbee_norm_params p = {.struct_size = sizeof p, .kind = RBEE_NORM_LAYER, .eps = b->m->norm_eps};
  return b->api->norm(b->g, x, rbee_layer_weight(b->api, b->g, w, l), optional(b, bias, l), &p);
}

static rbee_tensor linear(const builder* b, rbee_tensor x, const char* w, const char* bias, uint32_t l) {
  return b->api->linear(b->g, x, rbee_layer_weight(b->api, b->g, w, l), optional(b, bias, l));
}

static rbee_tensor attention(const builder* b, rbee_tensor x, uint32_t l) {
  const falcon_model* m = b->m;
  const falcon_names* n = m->names;
  /* The rows are qkv_groups runs of [q heads, k heads, v heads]; the runs' parts side by side. */
  uint32_t groups = m->qkv_groups;
  uint32_t q_cols = m->n_head / groups * m->head_dim, kv_cols = m->n_head_kv / groups * m->head_dim;
  rbee_tensor qkv = linear(b, x, n->attn_qkv, n->attn_qkv_bias, l);
  rbee_rope_params rope_k = m->rope;
  rope_k.n_heads = m->n_head_kv;
  rbee_tensor q = b->api->rope(b->g, b->api->slice(b->g, qkv, groups, 0, q_cols), RBEE_TENSOR_NONE, &m->rope);
  rbee_tensor k = b->api->rope(b->g, b->api->slice(b->g, qkv, groups, q_cols, kv_cols), RBEE_TENSOR_NONE, &rope_k);
  rbee_tensor v = b->api->slice(b->g, qkv, groups, q_cols + kv_cols, kv_cols);
  rbee_attention_params p = {
      .struct_size = sizeof p,
      .layer = l,
      .n_heads = m->n_head,
      .n_kv_heads = m->n_head_kv,
      .head_dim_k = m->head_dim,
      .head_dim_v = m->head_dim,
      .scale = 1.0f / sqrtf((float)m->head_dim),
  };
  return linear(b, b->api->attention(b->g, q, k, v, &p), n->attn_out, n->attn_out_bias, l);
}

static rbee_tensor mlp(const builder* b, rbee_tensor x, uint32_t l) {
  const falcon_names* n = b->m->names;
  rbee_tensor h = b->api->unary(b->g, linear(b, x, n->ffn_up, n->ffn_up_bias, l), b->m->act);
  return linear(b, h, n->ffn_down, n->ffn_down_bias, l);
}

static rbee_tensor layer(const builder* b, rbee_tensor x, uint32_t l) {
  const falcon_names* n = b->m->names;
  rbee_tensor h_mlp = norm(b, x, n->mlp_norm, n->mlp_norm_bias, l);
  switch (b->m->block) {
    case FALCON_PARALLEL_ONE_NORM:
      break;
    case FALCON_PARALLEL_TWO_NORMS: {
      rbee_tensor h_attn = norm(b, x, n->attn_norm, n->attn_norm_bias, l);
      rbee_tensor both = b->api->binary(b->g, mlp(b, h_mlp, l), attention(b, h_attn, l), RBEE_BINARY_ADD);
      return b->api->binary(b->g, x, both, RBEE_BINARY_ADD);
    }
    case FALCON_SEQUENTIAL:
      x = b->api->binary(b->g, x, attention(b, h_mlp, l), RBEE_BINARY_ADD);
      return b->api->binary(b->g, x, mlp(b, norm(b, x, n->post_attn_norm, n->post_attn_norm_bias, l), l), RBEE_BINARY_ADD);
  }
  rbee_tensor both = b->api->binary(b->g, mlp(b, h_mlp, l), attention(b, h_mlp, l), RBEE_BINARY_ADD);
  return b->api->binary(b->g, x, both, RBEE_BINARY_ADD);
}

rbee_status falcon_build_graph(const falcon_model* m, rbee_graph* g, rbee_error* err) {
  builder b = {.api = falcon_host->graph, .g = g, .m = m};
  const falcon_names* n = m->names;
  rbee_tensor embd = b.api->weight(g, n->token_embd);
  rbee_tensor x = b.api->embed(g, embd, b.api->input_tokens(g));
  for (uint32_t l = 0; l < m->n_layer; ++l) x = layer(&b, x, l);
  x = b.api->output_rows(g, x);
  x = norm(&b, x, n->output_norm, n->output_norm_bias, 0);
  /* Tied embeddings (tie_word_embeddings, the default): no output matrix in the file. */
  rbee_tensor out = b.api->has_weight(g, n->output) ? b.api->weight(g, n->output) : embd;
  b.api->set_output(g, b.api->linear(g, x, out, RBEE_TENSOR_NONE));

  const char* message = b.api->graph_error(g);
  return message ? rbee_fail(err, RBEE_ERROR_BAD_MODEL, "%s", message) : RBEE_OK;
}
