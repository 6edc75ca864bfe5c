/* The phi family plugin: Phi-2 (GGUF "phi2", config.json "phi") and Phi-3 (GGUF and config.json
 * "phi3"), from GGUF and Hugging Face folders. */
#ifndef RBEE_PLUGIN_PHI_H
#define RBEE_PLUGIN_PHI_H

#include <rbee/plugin_util.h>
#include <rbee/rbee.h>

/* Tensor names of one format and generation; %u is the layer, NULL where that format has none.
 * A file has either the fused attn_qkv or attn_q/k/v. */
typedef struct phi_names {
  const char* token_embd;
  const char* output_norm;
  const char* output_norm_bias;
  const char* output;
  const char* output_bias;
  const char* rope_factors_long; /* GGUF only: LongRoPE frequency divisors */
  const char* rope_factors_short;
  const char* attn_norm;
  const char* attn_norm_bias;
  const char* attn_qkv;
  const char* attn_qkv_bias;
  const char* attn_q;
  const char* attn_k;
  const char* attn_v;
  const char* attn_q_bias;
  const char* attn_k_bias;
  const char* attn_v_bias;
  const char* attn_out;
  const char* attn_out_bias;
  const char* ffn_norm; /* Phi-3 only: Phi-2's MLP reads the attention's norm */
  const char* ffn_up;   /* Phi-2: fc1; Phi-3: gate_up ([gate; up] rows) */
  const char* ffn_up_bias;
  const char* ffn_down;
  const char* ffn_down_bias;
} phi_names;

typedef enum phi_generation {
  PHI_2 = 2, /* parallel attention and GELU MLP on one LayerNorm, biases everywhere */
  PHI_3 = 3  /* llama-like: RMS norms, SwiGLU MLP, fused projections, no biases */
} phi_generation;

const phi_names* phi_names_for(rbee_format format, phi_generation generation);

/* LongRoPE (Phi-3 128k): per-pair frequency divisors, the long ones when the run's context
 * exceeds original_max, and one attention factor. */
typedef struct phi_longrope {
  int enabled;
  float* short_factors; /* config.json only (GGUF carries tensors); n_rot / 2 each */
  float* long_factors;
  uint32_t original_max;
  float attn_factor;
} phi_longrope;

typedef struct rbee_model {
  const phi_names* names;
  phi_generation generation;
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
  rbee_rope_params rope;
  phi_longrope longrope;
} phi_model;

/* Host tables, set by init. */
extern const rbee_host_api* phi_host;

rbee_status phi_read_hparams(const rbee_source* src, phi_model* m, rbee_error* err);
void phi_free_hparams(phi_model* m);
rbee_status phi_describe(const phi_model* m, rbee_describe_fn emit, void* ctx);
rbee_status phi_build_graph(const phi_model* m, rbee_graph* g, rbee_error* err);

#endif
