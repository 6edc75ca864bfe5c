/* The llama family plugin: Llama 1/2/3.x, Mistral, Mixtral and SmolLM3, from GGUF and Hugging Face
 * folders. */
#ifndef RBEE_PLUGIN_LLAMA_H
#define RBEE_PLUGIN_LLAMA_H

#include <rbee/plugin_util.h>
#include <rbee/rbee.h>

/* Tensor names of one file format; %u is the layer. */
typedef struct llama_names {
  const char* token_embd;
  const char* output_norm;
  const char* output;
  const char* rope_freqs; /* GGUF only: Llama 3.1 frequency divisors */
  const char* attn_norm;
  const char* attn_q;
  const char* attn_k;
  const char* attn_v;
  const char* attn_out;
  const char* attn_q_bias;
  const char* attn_k_bias;
  const char* attn_v_bias;
  const char* attn_out_bias;
  const char* ffn_norm;
  const char* ffn_gate;
  const char* ffn_up;
  const char* ffn_down;
  /* Mixtral: the router and the experts' projections ("%%u" becomes the expert's %u for
   * experts() once the layer is filled in; GGUF stacks the experts in one tensor). */
  const char* ffn_router;
  const char* ffn_gate_experts;
  const char* ffn_up_experts;
  const char* ffn_down_experts;
} llama_names;

const llama_names* llama_names_for(rbee_format format);

typedef struct rbee_model {
  const llama_names* names;
  uint32_t n_vocab;
  uint32_t n_embd;
  uint32_t n_layer;
  uint32_t n_head;
  uint32_t n_head_kv;
  uint32_t head_dim;
  uint32_t n_ff;
  uint32_t n_ctx_train;
  float norm_eps;
  rbee_rope_params rope;
  uint8_t* use_rope; /* per layer, or NULL when every layer rotates (SmolLM3 skips some) */
  uint32_t n_expert; /* 0: dense MLP; else Mixtral's experts, n_expert_used per token */
  uint32_t n_expert_used;
} llama_model;

/* Host tables, set by init. */
extern const rbee_host_api* llama_host;

rbee_status llama_read_hparams(const rbee_source* src, llama_model* m, rbee_error* err);
rbee_status llama_describe(const llama_model* m, rbee_describe_fn emit, void* ctx);
rbee_status llama_build_graph(const llama_model* m, rbee_graph* g, rbee_error* err);

#endif
