/* The Gemma family plugin: Gemma, Gemma 2 and Gemma 3 (text), from GGUF and Hugging Face folders. */
#ifndef RBEE_PLUGIN_GEMMA_H
#define RBEE_PLUGIN_GEMMA_H

#include <rbee/plugin_util.h>
#include <rbee/rbee.h>

/* Tensor names of one file format and generation; %u is the layer. */
typedef struct gemma_names {
  const char* token_embd;
  const char* output_norm;
  const char* output; /* absent when tied to the embeddings (every released Gemma) */
  const char* attn_norm;
  const char* attn_q;
  const char* attn_k;
  const char* attn_v;
  const char* attn_out;
  const char* attn_q_norm;    /* Gemma 3 */
  const char* attn_k_norm;    /* Gemma 3 */
  const char* attn_post_norm; /* Gemma 2 and 3 */
  const char* ffn_norm;
  const char* ffn_gate;
  const char* ffn_up;
  const char* ffn_down;
  const char* ffn_post_norm; /* Gemma 2 and 3 */
} gemma_names;

const gemma_names* gemma_names_for(rbee_format format, uint32_t generation);

typedef struct rbee_model {
  const gemma_names* names;
  uint32_t generation; /* 1, 2 or 3 */
  uint32_t n_vocab;
  uint32_t n_embd;
  uint32_t n_layer;
  uint32_t n_head;
  uint32_t n_head_kv;
  uint32_t head_dim;
  uint32_t n_ff;
  uint32_t n_ctx_train;
  float norm_eps;
  float norm_offset;    /* 1 for Hugging Face's (1 + weight); 0 in GGUF, whose converter added the 1 */
  float attn_scalar;    /* q.k is scaled by attn_scalar^-0.5 (query_pre_attn_scalar) */
  float attn_softcap;   /* 0: none */
  float final_softcap;  /* 0: none */
  uint32_t window;      /* sliding window of the sliding layers; 0: every layer is global */
  uint8_t* sliding;     /* per layer: 1 when the layer attends within the window */
  rbee_rope_params rope_global;
  rbee_rope_params rope_sliding; /* Gemma 3's local layers have their own base and no scaling */
} gemma_model;

/* Host tables, set by init. */
extern const rbee_host_api* gemma_host;

rbee_status gemma_read_hparams(const rbee_source* src, gemma_model* m, rbee_error* err);
rbee_status gemma_describe(const gemma_model* m, rbee_describe_fn emit, void* ctx);
rbee_status gemma_build_graph(const gemma_model* m, rbee_graph* g, rbee_error* err);

#endif
