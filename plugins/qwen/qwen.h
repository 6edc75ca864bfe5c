/* The qwen family plugin: Qwen2/2.5 and Qwen3 dense models and their mixture-of-experts
 * variants Qwen2-MoE and Qwen3-MoE, from GGUF and Hugging Face folders. */
#ifndef RBEE_PLUGIN_QWEN_H
#define RBEE_PLUGIN_QWEN_H

#include <rbee/plugin_util.h>
#include <rbee/rbee.h>

/* Tensor names of one file format; %u is the layer. */
typedef struct qwen_names {
  const char* token_embd;
  const char* output_norm;
  const char* output;
  const char* attn_norm;
  const char* attn_q;
  const char* attn_k;
  const char* attn_v;
  const char* attn_out;
  const char* attn_q_bias;
  const char* attn_k_bias;
  const char* attn_v_bias;
  const char* attn_out_bias;
  const char* attn_q_norm; /* Qwen3 */
  const char* attn_k_norm;
  const char* ffn_norm;
  const char* ffn_gate;
  const char* ffn_up;
  const char* ffn_down;
  /* Mixture of experts. The experts' patterns take the layer, then leave a literal %u for the
   * expert (safetensors' experts.N.*) or name one 3-D tensor (GGUF's ffn_*_exps). */
  const char* ffn_gate_inp; /* router [n_expert, hidden] */
  const char* ffn_gate_exps;
  const char* ffn_up_exps;
  const char* ffn_down_exps;
  const char* ffn_gate_shexp; /* Qwen2-MoE's shared expert and its gate [1, hidden] */
  const char* ffn_up_shexp;
  const char* ffn_down_shexp;
  const char* ffn_gate_inp_shexp;
} qwen_names;

const qwen_names* qwen_names_for(rbee_format format);

typedef struct rbee_model {
  const qwen_names* names;
  uint32_t n_vocab;
  uint32_t n_embd;
  uint32_t n_layer;
  uint32_t n_head;
  uint32_t n_head_kv;
  uint32_t head_dim;
  uint32_t n_ff;
  uint32_t n_ctx_train;
  int qk_norm; /* Qwen3: per-head RMS norm of Q and K between projection and RoPE */
  float norm_eps;
  rbee_rope_params rope;
  uint32_t* window; /* per layer: sliding window length (0 = full attention), or NULL when no layer slides */
  /* Mixture of experts (n_expert 0: a dense model) */
  uint32_t n_expert;
  uint32_t n_expert_used;
  uint32_t n_ff_exp;      /* each expert's intermediate size */
  uint32_t n_ff_shexp;    /* the shared expert's (Qwen2-MoE), 0 when none */
  int norm_topk;          /* renormalize the chosen experts' weights to sum to 1 */
  uint8_t* sparse;        /* per layer: 1 = experts, 0 = the dense MLP; NULL when n_expert is 0 */
} qwen_model;

/* Host tables, set by init. */
extern const rbee_host_api* qwen_host;

rbee_status qwen_read_hparams(const rbee_source* src, qwen_model* m, rbee_error* err);
rbee_status qwen_describe(const qwen_model* m, rbee_describe_fn emit, void* ctx);
rbee_status qwen_build_graph(const qwen_model* m, rbee_graph* g, rbee_error* err);

#endif
