/* The starcoder2 family plugin: StarCoder2 (GGUF and config.json "starcoder2"), from GGUF and
 * Hugging Face folders. */
#ifndef RBEE_PLUGIN_STARCODER2_H
#define RBEE_PLUGIN_STARCODER2_H

#include <rbee/plugin_util.h>
#include <rbee/rbee.h>

/* Tensor names of one format; %u is the layer. Biases are optional (use_bias false: none). */
typedef struct sc2_names {
  const char* token_embd;
  const char* output_norm;
  const char* output_norm_bias;
  const char* output; /* absent when tied to token_embd */
  const char* attn_norm;
  const char* attn_norm_bias;
  const char* attn_q;
  const char* attn_k;
  const char* attn_v;
  const char* attn_q_bias;
  const char* attn_k_bias;
  const char* attn_v_bias;
  const char* attn_out;
  const char* attn_out_bias;
  const char* ffn_norm;
  const char* ffn_norm_bias;
  const char* ffn_up; /* c_fc */
  const char* ffn_up_bias;
  const char* ffn_down; /* c_proj */
  const char* ffn_down_bias;
} sc2_names;

const sc2_names* sc2_names_for(rbee_format format);

typedef struct rbee_model {
  const sc2_names* names;
  uint32_t n_vocab;
  uint32_t n_embd;
  uint32_t n_layer;
  uint32_t n_head;
  uint32_t n_head_kv;
  uint32_t head_dim;
  uint32_t n_ff;
  uint32_t n_ctx_train;
  uint32_t sliding_window; /* 0: none; else every layer */
  float norm_eps;
  rbee_unary_op act; /* of the MLP */
  rbee_rope_params rope;
} sc2_model;

/* Host tables, set by init. */
extern const rbee_host_api* sc2_host;

rbee_status sc2_read_hparams(const rbee_source* src, sc2_model* m, rbee_error* err);
rbee_status sc2_describe(const sc2_model* m, rbee_describe_fn emit, void* ctx);
rbee_status sc2_build_graph(const sc2_model* m, rbee_graph* g, rbee_error* err);

#endif
