/* The Gemma forward pass: scaled embeddings, (1 + weight) RMS norms, GQA attention with RoPE on
 * halves and a GELU-tanh gated MLP. Gemma 2 and 3 add norms after attention and MLP, sliding-
 * window layers and soft-capping (2) or per-head Q/K norms (3). */
#include <math.h>

#include "gemma.h"

typedef struct builder {
  const rbee_graph_api* api;
  rbee_graph* g;
  const gemma_model* m;
} builder;

static rbee_tensor weight(const builder* b, const char* pattern, uint32_t layer) {
  return rbee_layer_weight(b->api, b->g, pattern, layer);
}

/* group_size 0 normalizes whole rows; head_dim normalizes each head (Gemma 3's Q/K norms). */
static rbee_tensor rms_norm(const builder* b, rbee_tensor x, rbee_tensor w, uint32_t group_size) {
  rbee_norm_params p = {
      .struct_size = sizeof p,
      .kind = RBEE_NORM_RMS,
      .eps = b->m->norm_eps,
      .weight_offset = b->m->norm_offset,
      .group_size = group_size,
  };
  return b->api->norm(b->g, x, w, RBEE_TENSOR_NONE, &p);
}

static rbee_tensor attention(const builder* b, rbee_tensor x, uint32_t l) {
  const gemma_model* m = b->m;
  const gemma_names* n = m->names;
  rbee_tensor q = b->api->linear(b->g, x, weight(b, n->attn_q, l), RBEE_TENSOR_NONE);
  rbee_tensor k = b->api->linear(b->g, x, weight(b, n->attn_k, l), RBEE_TENSOR_NONE);
  rbee_tensor v = b->api->linear(b->g, x, weight(b, n->attn_v, l), RBEE_TENSOR_NONE);
  if (m->generation == 3) {
    q = rms_norm(b, q, weight(b, n->attn_q_norm, l), m->head_dim);
    k = rms_norm(b, k, weight(b, n->attn_k_norm, l), m->head_dim);
  }
  rbee_rope_params rope_q = m->sliding[l] ? m->rope_sliding : m->rope_global;
  rbee_rope_params rope_k = rope_q;
  rope_k.n_heads = m->n_head_kv;
  q = b->api->rope(b->g, q, RBEE_TENSOR_NONE, &rope_q);
  k = b->api->rope(b->g, k, RBEE_TENSOR_NONE, &rope_k);
  rbee_attention_params p = {
      .struct_size = sizeof p,
      .layer = l,
      .n_heads = m->n_head,
      .n_kv_heads = m->n_head_kv,
      .head_dim_k = m->head_dim,
      .head_dim_v = m->head_dim,
      .scale = 1.0f / sqrtf(m->attn_scalar),
      .softcap = m->attn_softcap,
      .window = m->sliding[l] ? m->window : 0,
  };
  rbee_tensor o = b->api->attention(b->g, q, k, v, &p);
  return b->api->linear(b->g, o, weight(b, n->attn_out, l), RBEE_TENSOR_NONE);
}

static rbee_tensor mlp(const builder* b, rbee_tensor x, uint32_t l) {
  const gemma_names* n = b->m->names;
  rbee_tensor gate = b->api->linear(b->g, x, weight(b, n->ffn_gate, l), RBEE_TENSOR_NONE);
  rbee_tensor up = b->api->linear(b->g, x, weight(b, n->ffn_up, l), RBEE_TENSOR_NONE);
  rbee_tensor h = b->api->gated(b->g, gate, up, RBEE_UNARY_GELU_TANH);
  return b->api->linear(b->g, h, weight(b, n->ffn_down, l), RBEE_TENSOR_NONE);
}

/* Gemma 2 and 3 normalize each sublayer's output before adding it to the residual. */
static rbee_tensor post_norm(const builder* b, rbee_tensor x, const char* pattern, uint32_t l) {
  return b->m->generation == 1 ? x : rms_norm(b, x, weight(b, pattern, l), 0);
}

rbee_status gemma_build_graph(const gemma_model* m, rbee_graph* g, rbee_error* err) {
  builder b = {gemma_host->graph, g, m};
  const gemma_names* n = m->names;
  rbee_tensor embd = b.api->weight(g, n->token_embd);
  rbee_tensor x = b.api->embed(g, embd, b.api->input_tokens(g));
  x = b.api->scale(g, x, sqrtf((float)m->n_embd));

  for (uint32_t l = 0; l < m->n_layer; ++l) {
    rbee_tensor h = rms_norm(&b, x, weight(&b, n->attn_norm, l), 0);
    x = b.api->binary(g, x, post_norm(&b, attention(&b, h, l), n->attn_post_norm, l), RBEE_BINARY_ADD);
    h = rms_norm(&b, x, weight(&b, n->ffn_norm, l), 0);
    x = b.api->binary(g, x, post_norm(&b, mlp(&b, h, l), n->ffn_post_norm, l), RBEE_BINARY_ADD);
  }
  x = b.api->output_rows(g, x);
  x = rms_norm(&b, x, b.api->weight(g, n->output_norm), 0);
  rbee_tensor out = b.api->has_weight(g, n->output) ? b.api->weight(g, n->output) : embd;
  rbee_tensor logits = b.api->linear(g, x, out, RBEE_TENSOR_NONE);
  if (m->final_softcap > 0) logits = b.api->softcap(g, logits, m->final_softcap);
  b.api->set_output(g, logits);

  const char* message = b.api->graph_error(g);
  return message ? rbee_fail(err, RBEE_ERROR_BAD_MODEL, "%s", message) : RBEE_OK;
}
