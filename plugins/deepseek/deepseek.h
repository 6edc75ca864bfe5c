/* The deepseek family plugin: DeepSeek-V2 (and V2-Lite), DeepSeek-V3/R1 and Kimi K2, from GGUF
 * (architecture deepseek2) and Hugging Face folders (deepseek_v2, deepseek_v3, kimi_k2).
 *
 * Attention is multi-head latent attention computed in its absorbed form: the KV cache holds one
 * compressed latent (kv_lora_rank) and one shared rotary key (qk_rope_head_dim) per token and
 * layer, and every head's key and value projections are folded into its query and output. */
#ifndef RBEE_PLUGIN_DEEPSEEK_H
#define RBEE_PLUGIN_DEEPSEEK_H

#include <rbee/plugin_util.h>
#include <rbee/rbee.h>

/* Tensor names of one file format; %u is the layer. */
typedef struct deepseek_names {
  const char* token_embd;
  const char* output_norm;
  const char* output;
  const char* attn_norm;
  const char* attn_q;        /* no Q LoRA (V2-Lite): q_proj [H * (dn + dr), hidden] */
  const char* attn_q_a;      /* Q LoRA: q_a_proj [q_lora_rank, hidden], its norm, q_b_proj */
  const char* attn_q_a_norm;
  const char* attn_q_b;
  const char* attn_kv_a_mqa; /* kv_a_proj_with_mqa [r + dr, hidden]: the latent and the rotary key */
  const char* attn_kv_a_norm;
  const char* attn_kv_b;     /* kv_b_proj [H * (dn + dv), r]: every head's key and value parts */
  const char* attn_k_b;      /* GGUF (newer llama.cpp): the key parts split off, 3-D [H, r, dn] */
  const char* attn_v_b;      /* and the value parts [H, dv, r]; NULL for safetensors */
  const char* attn_out;
  const char* ffn_norm;
  const char* ffn_gate; /* dense layers */
  const char* ffn_up;
  const char* ffn_down;
  const char* ffn_gate_inp; /* router [n_expert, hidden] */
  const char* exp_probs_b;  /* V3: e_score_correction_bias [n_expert], for choosing only */
  /* Experts: the pattern takes the layer, then keeps a literal %u for the expert (safetensors'
   * experts.N.*) or names one 3-D tensor (GGUF's ffn_*_exps). */
  const char* ffn_gate_exps;
  const char* ffn_up_exps;
  const char* ffn_down_exps;
  const char* ffn_gate_shexp; /* shared experts: one SwiGLU of n_shared * moe_intermediate_size */
  const char* ffn_up_shexp;
  const char* ffn_down_shexp;
} deepseek_names;

const deepseek_names* deepseek_names_for(rbee_format format);

typedef struct rbee_model {
  const deepseek_names* names;
  uint32_t n_vocab;
  uint32_t n_embd;
  uint32_t n_layer; /* without multi-token-prediction layers */
  uint32_t n_nextn; /* multi-token-prediction layers the file declares (not run) */
  uint32_t n_head;  /* H */
  uint32_t n_ff;
  uint32_t n_ctx_train;
  float norm_eps;
  /* Multi-head latent attention */
  uint32_t q_lora_rank;  /* 0: no Q LoRA (q_proj) */
  uint32_t kv_lora_rank; /* r */
  uint32_t qk_nope;      /* dn: per-head key/query part without RoPE */
  uint32_t qk_rope;      /* dr: per-head rotary part (the rotary key is shared by all heads) */
  uint32_t v_head;       /* dv */
  float attn_scale;      /* (dn + dr)^-0.5, times YaRN's mscale(mscale_all_dim)^2 */
  rbee_rope_params rope; /* the queries' rotary part: H heads of dr */
  float mscale;          /* YaRN settings, kept for describe (0: absent) */
  float mscale_all_dim;
  /* Mixture of experts (n_expert 0: every layer dense) */
  uint32_t n_dense_lead; /* first_k_dense_replace: leading dense layers */
  uint32_t moe_freq;     /* moe_layer_freq: layer l >= n_dense_lead is sparse when l % moe_freq == 0 */
  uint32_t n_expert;
  uint32_t n_expert_used;
  uint32_t n_ff_exp;
  uint32_t n_shared; /* shared experts, fused into one SwiGLU of n_shared * n_ff_exp */
  uint32_t gating;   /* rbee_moe_gating */
  uint32_t n_group;  /* group-limited routing: 0 or 1 for none */
  uint32_t topk_group;
  uint32_t group_top; /* a group's score: the sum of its group_top best (V2: max = 1; V3: 2) */
  int norm_topk;
  float routed_scale;
} deepseek_model;

/* 1 when layer l uses routed experts. */
static inline int deepseek_sparse(const deepseek_model* m, uint32_t l) {
  return m->n_expert != 0 && l >= m->n_dense_lead && l % m->moe_freq == 0;
}

/* Host tables, set by init. */
extern const rbee_host_api* deepseek_host;

rbee_status deepseek_read_hparams(const rbee_source* src, deepseek_model* m, rbee_error* err);
rbee_status deepseek_describe(const deepseek_model* m, rbee_describe_fn emit, void* ctx);
rbee_status deepseek_build_graph(const deepseek_model* m, rbee_graph* g, rbee_error* err);

#endif
