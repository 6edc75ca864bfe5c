/* The deepseek forward pass: pre-norm multi-head latent attention in its absorbed form, then a
 * SwiGLU MLP (the leading dense layers) or routed SwiGLU experts plus shared experts.
 *
 * Per head h, with the latent c = rmsnorm(kv_a(x)[:r]) of every position and the rotary key
 * k_pe = rope(kv_a(x)[r:]) shared by all heads:
 *   score = q_nope_h . (W_k,h c) + q_pe_h . k_pe = (W_k,h^T q_nope_h) . c + q_pe_h . k_pe
 *   out_h = W_v,h (sum_p softmax(score)_p c_p)
 * so the cache keeps [c, k_pe] (r + dr per token and layer, values = its first r columns), the
 * queries are [W_k,h^T q_nope_h, q_pe_h] and every head's value projection comes after. */
#include <stdio.h>

#include "deepseek.h"

typedef struct builder {
  const rbee_graph_api* api;
  rbee_graph* g;
} builder;

static rbee_tensor weight(const builder* b, const char* pattern, uint32_t layer) {
  return rbee_layer_weight(b->api, b->g, pattern, layer);
}

static int has(const builder* b, const char* pattern, uint32_t layer) {
  char name[RBEE_NAME_MAX];
  if (pattern == NULL) return 0;
  snprintf(name, sizeof name, pattern, layer);
  return b->api->has_weight(b->g, name);
}

static rbee_tensor rms_norm(const builder* b, const deepseek_model* m, rbee_tensor x, rbee_tensor w) {
  rbee_norm_params p = {.struct_size = sizeof p, .kind = RBEE_NORM_RMS, .eps = m->norm_eps};
  return b->api->norm(b->g, x, w, RBEE_TENSOR_NONE, &p);
}

/* Every head's key part [H, r, dn] (W_k,h^T: the query's nope part to latent space) and value
 * part [H, dv, r] (latent to the head's value). GGUF files of newer llama.cpp store them split
 * as 3-D tensors; safetensors and older GGUF keep kv_b_proj [H * (dn + dv), r]. */
static void absorbed_weights(const builder* b, const deepseek_model* m, uint32_t l, rbee_tensor* k_b, rbee_tensor* v_b) {
  const deepseek_names* n = m->names;
  char name[RBEE_NAME_MAX];
  if (has(b, n->attn_k_b, l)) {
    snprintf(name, sizeof name, n->attn_k_b, l);
    *k_b = b->api->experts(b->g, name, m->n_head);
    snprintf(name, sizeof name, n->attn_v_b, l);
    *v_b = b->api->experts(b->g, name, m->n_head);
    return;
  }
  snprintf(name, sizeof name, n->attn_kv_b, l);
  *k_b = b->api->head_weights(b->g, name, m->n_head, 0, m->qk_nope, 1);
  *v_b = b->api->head_weights(b->g, name, m->n_head, m->qk_nope, m->v_head, 0);
}

static rbee_tensor attention(const builder* b, const deepseek_model* m, rbee_tensor x, uint32_t l) {
  const deepseek_names* n = m->names;
  const rbee_graph_api* api = b->api;
  const uint32_t H = m->n_head, dn = m->qk_nope, dr = m->qk_rope, r = m->kv_lora_rank;

  rbee_tensor q;
  if (m->q_lora_rank) {
    q = api->linear(b->g, x, weight(b, n->attn_q_a, l), RBEE_TENSOR_NONE);
    q = rms_norm(b, m, q, weight(b, n->attn_q_a_norm, l));
    q = api->linear(b->g, q, weight(b, n->attn_q_b, l), RBEE_TENSOR_NONE);
  } else {
    q = api->linear(b->g, x, weight(b, n->attn_q, l), RBEE_TENSOR_NONE);
  }
  rbee_tensor q_nope = api->slice(b->g, q, H, 0, dn);
  rbee_tensor q_pe = api->rope(b->g, api->slice(b->g, q, H, dn, dr), RBEE_TENSOR_NONE, &m->rope);

  rbee_tensor kv = api->linear(b->g, x, weight(b, n->attn_kv_a_mqa, l), RBEE_TENSOR_NONE);
  rbee_tensor latent = rms_norm(b, m, api->slice(b->g, kv, 1, 0, r), weight(b, n->attn_kv_a_norm, l));
  rbee_rope_params rope_k = m->rope;
  rope_k.n_heads = 1;
  rbee_tensor k_pe = api->rope(b->g, api->slice(b->g, kv, 1, r, dr), RBEE_TENSOR_NONE, &rope_k);

  rbee_tensor k_b, v_b;
  absorbed_weights(b, m, l, &k_b, &v_b);
  rbee_tensor q_full = api->concat(b->g, api->head_linear(b->g, q_nope, k_b), q_pe, H); /* [n, H * (r + dr)] */
  rbee_tensor k_full = api->concat(b->g, latent, k_pe, 1);                              /* [n, r + dr] */
  rbee_attention_params p = {
      .struct_size = sizeof p,
      .layer = l,
      .n_heads = H,
      .n_kv_heads = 1,
      .head_dim_k = r + dr,
      .head_dim_v = r,
      .scale = m->attn_scale,
      .values_in_keys = 1,
  };
  rbee_tensor o = api->attention(b->g, q_full, k_full, RBEE_TENSOR_NONE, &p); /* [n, H * r] */
  o = api->head_linear(b->g, o, v_b);                                          /* [n, H * dv] */
  return api->linear(b->g, o, weight(b, n->attn_out, l), RBEE_TENSOR_NONE);
}

/* A SwiGLU feed-forward block from its three projections' name patterns: the dense MLP, and the
 * shared experts. */
static rbee_tensor mlp(const builder* b, rbee_tensor x, const char* gate_w, const char* up_w, const char* down_w, uint32_t l) {
  rbee_tensor gate = b->api->linear(b->g, x, weight(b, gate_w, l), RBEE_TENSOR_NONE);
  rbee_tensor up = b->api->linear(b->g, x, weight(b, up_w, l), RBEE_TENSOR_NONE);
  rbee_tensor h = b->api->gated(b->g, gate, up, RBEE_UNARY_SILU);
  return b->api->linear(b->g, h, weight(b, down_w, l), RBEE_TENSOR_NONE);
}

static rbee_tensor experts(const builder* b, const deepseek_model* m, const char* pattern, uint32_t l) {
  return rbee_layer_experts(b->api, b->g, pattern, l, m->n_expert);
}

/* Routed experts (softmax or sigmoid scores, V3's correction bias for choosing only, group-limited
 * choice, renormalized and scaled weights) plus the shared experts every token goes through. */
static rbee_tensor moe(const builder* b, const deepseek_model* m, rbee_tensor x, uint32_t l) {
  const deepseek_names* n = m->names;
  rbee_moe_route_params p = {.struct_size = sizeof p,
                             .n_expert = m->n_expert,
                             .n_used = m->n_expert_used,
                             .gating = m->gating,
                             .normalize = (uint32_t)m->norm_topk,
                             .scale = m->routed_scale,
                             .n_group = m->n_group,
                             .topk_group = m->topk_group,
                             .group_top = m->group_top};
  rbee_tensor logits = b->api->linear(b->g, x, weight(b, n->ffn_gate_inp, l), RBEE_TENSOR_NONE);
  rbee_tensor bias = has(b, n->exp_probs_b, l) ? weight(b, n->exp_probs_b, l) : RBEE_TENSOR_NONE;
  rbee_tensor route = b->api->moe_route(b->g, logits, bias, &p);
  rbee_tensor gate = b->api->moe_linear(b->g, x, experts(b, m, n->ffn_gate_exps, l), route);
  rbee_tensor up = b->api->moe_linear(b->g, x, experts(b, m, n->ffn_up_exps, l), route);
  rbee_tensor h = b->api->gated(b->g, gate, up, RBEE_UNARY_SILU);
  rbee_tensor y = b->api->moe_combine(b->g, b->api->moe_linear(b->g, h, experts(b, m, n->ffn_down_exps, l), route), route);
  if (m->n_shared == 0) return y;
  rbee_tensor shared = mlp(b, x, n->ffn_gate_shexp, n->ffn_up_shexp, n->ffn_down_shexp, l);
  return b->api->binary(b->g, y, shared, RBEE_BINARY_ADD);
}

rbee_status deepseek_build_graph(const deepseek_model* m, rbee_graph* g, rbee_error* err) {
  builder b = {deepseek_host->graph, g};
  const deepseek_names* n = m->names;
  if (b.api->concat == NULL || b.api->head_weights == NULL || b.api->head_linear == NULL)
    return rbee_fail(err, RBEE_ERROR_UNSUPPORTED, "this host lacks multi-head latent attention (concat, head_linear)");
  rbee_tensor embd = b.api->weight(g, n->token_embd);
  rbee_tensor x = b.api->embed(g, embd, b.api->input_tokens(g));

  for (uint32_t l = 0; l < m->n_layer; ++l) {
    rbee_tensor h = rms_norm(&b, m, x, weight(&b, n->attn_norm, l));
    x = b.api->binary(g, x, attention(&b, m, h, l), RBEE_BINARY_ADD);
    h = rms_norm(&b, m, x, weight(&b, n->ffn_norm, l));
    rbee_tensor ffn = deepseek_sparse(m, l) ? moe(&b, m, h, l) : mlp(&b, h, n->ffn_gate, n->ffn_up, n->ffn_down, l);
    x = b.api->binary(g, x, ffn, RBEE_BINARY_ADD);
  }
  x = b.api->output_rows(g, x);
  x = rms_norm(&b, m, x, b.api->weight(g, n->output_norm));
  rbee_tensor out = b.api->has_weight(g, n->output) ? b.api->weight(g, n->output) : embd;
  b.api->set_output(g, b.api->linear(g, x, out, RBEE_TENSOR_NONE));

  const char* message = b.api->graph_error(g);
  return message ? rbee_fail(err, RBEE_ERROR_BAD_MODEL, "%s", message) : RBEE_OK;
}
