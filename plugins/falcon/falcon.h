/* The falcon family plugin: Falcon (GGUF and config.json "falcon"), the 7B-style decoder (one
 * input LayerNorm, multi-query) and the new decoder architecture (40B/180B style: ln_attn and
 * ln_mlp, grouped KV heads), from GGUF and Hugging Face folders. */
#ifndef RBEE_PLUGIN_FALCON_H
#define RBEE_PLUGIN_FALCON_H

#include <rbee/plugin_util.h>
#include <rbee/rbee.h>

/* Tensor names of one format; %u is the layer. Biases exist only when config.json's bias is true.
 * mlp_norm is the norm the MLP reads; in the 7B style (and in GGUF files without attn_norm_2) the
 * attention reads it too. */
typedef struct falcon_names {
  const char* token_embd;
  const char* output_norm;
  const char* output_norm_bias;
  const char* output; /* absent when tied to token_embd */
  const char* mlp_norm;
  const char* mlp_norm_bias;
  const char* attn_norm; /* the attention's own norm (two norms per layer), else NULL */
  const char* attn_norm_bias;
  const char* post_attn_norm; /* config.json parallel_attn false: the MLP's norm after attention */
  const char* post_attn_norm_bias;
  const char* attn_qkv; /* fused q, k, v rows (see falcon_model.qkv_groups) */
  const char* attn_qkv_bias;
  const char* attn_out;
  const char* attn_out_bias;
  const char* ffn_up; /* dense_h_to_4h */
  const char* ffn_up_bias;
  const char* ffn_down; /* dense_4h_to_h */
  const char* ffn_down_bias;
} falcon_names;

/* Layer norms per layer and how the block adds up. */
typedef enum falcon_block {
  FALCON_PARALLEL_ONE_NORM = 0,  /* x + attn(ln(x)) + mlp(ln(x)): Falcon-7B */
  FALCON_PARALLEL_TWO_NORMS = 1, /* x + attn(ln_attn(x)) + mlp(ln_mlp(x)): new decoder architecture */
  FALCON_SEQUENTIAL = 2          /* x += attn(ln(x)); x += mlp(post_ln(x)): parallel_attn false */
} falcon_block;

const falcon_names* falcon_names_for(rbee_format format, falcon_block block);

typedef struct rbee_model {
  const falcon_names* names;
  falcon_block block;
  uint32_t n_vocab;
  uint32_t n_embd;
  uint32_t n_layer;
  uint32_t n_head;
  uint32_t n_head_kv;
  /* The fused rows are this many runs of [q heads, k heads, v heads] with equal shares: 1 for
   * [all q; all k; all v] (GGUF, whose converter reorders; Falcon-7B), n_head_kv for the new
   * architecture's groups in config.json files, n_head for per-head [q, k, v]. */
  uint32_t qkv_groups;
  uint32_t head_dim;
  uint32_t n_ff;
  uint32_t n_ctx_train;
  float norm_eps;
  rbee_unary_op act;
  rbee_rope_params rope;
} falcon_model;

/* Host tables, set by init. */
extern const rbee_host_api* falcon_host;

rbee_status falcon_read_hparams(const rbee_source* src, falcon_model* m, rbee_error* err);
rbee_status falcon_describe(const falcon_model* m, rbee_describe_fn emit, void* ctx);
rbee_status falcon_build_graph(const falcon_model* m, rbee_graph* g, rbee_error* err);

#endif
