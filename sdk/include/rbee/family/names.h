/* Family helpers (header-only, compiled into the plugin; not part of the ABI): tensor names.
 *
 * A tensor is named by an id (rbee_tensor_id). Its name in a file comes from one table for both
 * formats: the family's own rows first, then the standard names every family shares unless it
 * says otherwise: llama.cpp's GGUF names and the Llama-style Hugging Face names. Per-layer
 * names hold one %u (the layer); experts' per-expert names keep a literal %%u for the expert. */
#ifndef RBEE_FAMILY_NAMES_H
#define RBEE_FAMILY_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include "rbee/source.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum rbee_tensor_id {
  RBEE_T_TOKEN_EMBD,
  RBEE_T_OUTPUT_NORM,
  RBEE_T_OUTPUT_NORM_BIAS,
  RBEE_T_OUTPUT,
  RBEE_T_OUTPUT_BIAS,
  RBEE_T_ROPE_FREQS,         /* Llama 3.1 GGUF frequency divisors */
  RBEE_T_ROPE_FACTORS_LONG,  /* Phi-3 GGUF LongRoPE factors */
  RBEE_T_ROPE_FACTORS_SHORT,
  RBEE_T_ATTN_NORM,
  RBEE_T_ATTN_NORM_BIAS,
  RBEE_T_ATTN_NORM_2,        /* a second input norm (Falcon's ln_attn) */
  RBEE_T_ATTN_NORM_2_BIAS,
  RBEE_T_ATTN_Q,
  RBEE_T_ATTN_K,
  RBEE_T_ATTN_V,
  RBEE_T_ATTN_QKV,
  RBEE_T_ATTN_OUT,
  RBEE_T_ATTN_Q_BIAS,
  RBEE_T_ATTN_K_BIAS,
  RBEE_T_ATTN_V_BIAS,
  RBEE_T_ATTN_QKV_BIAS,
  RBEE_T_ATTN_OUT_BIAS,
  RBEE_T_ATTN_Q_NORM,        /* per-head Q/K norms */
  RBEE_T_ATTN_K_NORM,
  RBEE_T_ATTN_POST_NORM,     /* norm of the attention's output (Gemma 2/3) */
  RBEE_T_ATTN_SINKS,         /* learned attention sinks, a logit per head (gpt-oss) */
  RBEE_T_ATTN_Q_A,           /* multi-head latent attention */
  RBEE_T_ATTN_Q_A_NORM,
  RBEE_T_ATTN_Q_B,
  RBEE_T_ATTN_KV_A_MQA,
  RBEE_T_ATTN_KV_A_NORM,
  RBEE_T_ATTN_KV_B,
  RBEE_T_ATTN_K_B,
  RBEE_T_ATTN_V_B,
  RBEE_T_FFN_NORM,
  RBEE_T_FFN_NORM_BIAS,
  RBEE_T_FFN_POST_NORM,
  RBEE_T_FFN_GATE,
  RBEE_T_FFN_UP,
  RBEE_T_FFN_DOWN,
  RBEE_T_FFN_UP_BIAS,
  RBEE_T_FFN_DOWN_BIAS,
  RBEE_T_FFN_GATE_INP,       /* the experts' router */
  RBEE_T_FFN_GATE_INP_BIAS,
  RBEE_T_FFN_EXP_PROBS_B,    /* a bias of the router's scores for choosing only */
  RBEE_T_FFN_GATE_EXPS,
  RBEE_T_FFN_UP_EXPS,
  RBEE_T_FFN_DOWN_EXPS,
  RBEE_T_FFN_GATE_EXPS_BIAS, /* per-expert biases [n_expert, out] (gpt-oss) */
  RBEE_T_FFN_UP_EXPS_BIAS,
  RBEE_T_FFN_DOWN_EXPS_BIAS,
  RBEE_T_FFN_GATE_SHEXP,     /* shared experts */
  RBEE_T_FFN_UP_SHEXP,
  RBEE_T_FFN_DOWN_SHEXP,
  RBEE_T_FFN_GATE_INP_SHEXP, /* the shared expert's gate */
  RBEE_T_COUNT
} rbee_tensor_id;

/* No tensor: an absent optional input (a bias the family never has). */
#define RBEE_T_NONE RBEE_T_COUNT

/* Room for a tensor name with its layer and expert filled in. */
#define RBEE_NAME_MAX 160

/* Names a format has no tensor for. */
#define RBEE_NO_TENSOR ""

/* One row of a family's table: NULL keeps the standard name of that format. */
typedef struct rbee_tensor_name {
  rbee_tensor_id id;
  const char* gguf;
  const char* hf;
} rbee_tensor_name;

typedef struct rbee_name_table {
  const rbee_tensor_name* rows;
  size_t n_rows;
} rbee_name_table;

/* An rbee_name_table initializer for a static array of rows; as a value:
 * (rbee_name_table)RBEE_NAME_TABLE(rows). */
#define RBEE_NAME_TABLE(rows) {(rows), sizeof(rows) / sizeof((rows)[0])}

/* Two rows: the Hugging Face names of a weight and its bias, "<prefix>.weight" and
 * "<prefix>.bias" (GGUF keeps the standard names). RBEE_HF_WEIGHT_AND_BIAS(FFN_UP,
 * "model.layers.%u.mlp.c_fc") names RBEE_T_FFN_UP and RBEE_T_FFN_UP_BIAS. */
#define RBEE_HF_WEIGHT_AND_BIAS(ID, prefix) \
  {RBEE_T_##ID, NULL, prefix ".weight"}, {RBEE_T_##ID##_BIAS, NULL, prefix ".bias"}

/* The names every family shares unless it says otherwise: GGUF (llama.cpp) and Hugging Face
 * (Llama-style). */
static const rbee_tensor_name rbee_standard_tensor_names[] = {
    {RBEE_T_TOKEN_EMBD, "token_embd.weight", "model.embed_tokens.weight"},
    {RBEE_T_OUTPUT_NORM, "output_norm.weight", "model.norm.weight"},
    {RBEE_T_OUTPUT_NORM_BIAS, "output_norm.bias", "model.norm.bias"},
    {RBEE_T_OUTPUT, "output.weight", "lm_head.weight"},
    {RBEE_T_OUTPUT_BIAS, "output.bias", "lm_head.bias"},
    {RBEE_T_ROPE_FREQS, "rope_freqs.weight", RBEE_NO_TENSOR},
    {RBEE_T_ROPE_FACTORS_LONG, "rope_factors_long.weight", RBEE_NO_TENSOR},
    {RBEE_T_ROPE_FACTORS_SHORT, "rope_factors_short.weight", RBEE_NO_TENSOR},
    {RBEE_T_ATTN_NORM, "blk.%u.attn_norm.weight", "model.layers.%u.input_layernorm.weight"},
    {RBEE_T_ATTN_NORM_BIAS, "blk.%u.attn_norm.bias", "model.layers.%u.input_layernorm.bias"},
    {RBEE_T_ATTN_NORM_2, "blk.%u.attn_norm_2.weight", RBEE_NO_TENSOR},
    {RBEE_T_ATTN_NORM_2_BIAS, "blk.%u.attn_norm_2.bias", RBEE_NO_TENSOR},
    {RBEE_T_ATTN_Q, "blk.%u.attn_q.weight", "model.layers.%u.self_attn.q_proj.weight"},
    {RBEE_T_ATTN_K, "blk.%u.attn_k.weight", "model.layers.%u.self_attn.k_proj.weight"},
    {RBEE_T_ATTN_V, "blk.%u.attn_v.weight", "model.layers.%u.self_attn.v_proj.weight"},
    {RBEE_T_ATTN_QKV, "blk.%u.attn_qkv.weight", RBEE_NO_TENSOR},
    {RBEE_T_ATTN_OUT, "blk.%u.attn_output.weight", "model.layers.%u.self_attn.o_proj.weight"},
    {RBEE_T_ATTN_Q_BIAS, "blk.%u.attn_q.bias", "model.layers.%u.self_attn.q_proj.bias"},
    {RBEE_T_ATTN_K_BIAS, "blk.%u.attn_k.bias", "model.layers.%u.self_attn.k_proj.bias"},
    {RBEE_T_ATTN_V_BIAS, "blk.%u.attn_v.bias", "model.layers.%u.self_attn.v_proj.bias"},
    {RBEE_T_ATTN_QKV_BIAS, "blk.%u.attn_qkv.bias", RBEE_NO_TENSOR},
    {RBEE_T_ATTN_OUT_BIAS, "blk.%u.attn_output.bias", "model.layers.%u.self_attn.o_proj.bias"},
    {RBEE_T_ATTN_Q_NORM, "blk.%u.attn_q_norm.weight", "model.layers.%u.self_attn.q_norm.weight"},
    {RBEE_T_ATTN_K_NORM, "blk.%u.attn_k_norm.weight", "model.layers.%u.self_attn.k_norm.weight"},
    {RBEE_T_ATTN_POST_NORM, "blk.%u.post_attention_norm.weight", "model.layers.%u.post_attention_layernorm.weight"},
    {RBEE_T_ATTN_SINKS, "blk.%u.attn_sinks.weight", "model.layers.%u.self_attn.sinks"},
    {RBEE_T_ATTN_Q_A, "blk.%u.attn_q_a.weight", "model.layers.%u.self_attn.q_a_proj.weight"},
    {RBEE_T_ATTN_Q_A_NORM, "blk.%u.attn_q_a_norm.weight", "model.layers.%u.self_attn.q_a_layernorm.weight"},
    {RBEE_T_ATTN_Q_B, "blk.%u.attn_q_b.weight", "model.layers.%u.self_attn.q_b_proj.weight"},
    {RBEE_T_ATTN_KV_A_MQA, "blk.%u.attn_kv_a_mqa.weight", "model.layers.%u.self_attn.kv_a_proj_with_mqa.weight"},
    {RBEE_T_ATTN_KV_A_NORM, "blk.%u.attn_kv_a_norm.weight", "model.layers.%u.self_attn.kv_a_layernorm.weight"},
    {RBEE_T_ATTN_KV_B, "blk.%u.attn_kv_b.weight", "model.layers.%u.self_attn.kv_b_proj.weight"},
    {RBEE_T_ATTN_K_B, "blk.%u.attn_k_b.weight", RBEE_NO_TENSOR},
    {RBEE_T_ATTN_V_B, "blk.%u.attn_v_b.weight", RBEE_NO_TENSOR},
    {RBEE_T_FFN_NORM, "blk.%u.ffn_norm.weight", "model.layers.%u.post_attention_layernorm.weight"},
    {RBEE_T_FFN_NORM_BIAS, "blk.%u.ffn_norm.bias", "model.layers.%u.post_attention_layernorm.bias"},
    {RBEE_T_FFN_POST_NORM, "blk.%u.post_ffw_norm.weight", "model.layers.%u.post_feedforward_layernorm.weight"},
    {RBEE_T_FFN_GATE, "blk.%u.ffn_gate.weight", "model.layers.%u.mlp.gate_proj.weight"},
    {RBEE_T_FFN_UP, "blk.%u.ffn_up.weight", "model.layers.%u.mlp.up_proj.weight"},
    {RBEE_T_FFN_DOWN, "blk.%u.ffn_down.weight", "model.layers.%u.mlp.down_proj.weight"},
    {RBEE_T_FFN_UP_BIAS, "blk.%u.ffn_up.bias", "model.layers.%u.mlp.up_proj.bias"},
    {RBEE_T_FFN_DOWN_BIAS, "blk.%u.ffn_down.bias", "model.layers.%u.mlp.down_proj.bias"},
    {RBEE_T_FFN_GATE_INP, "blk.%u.ffn_gate_inp.weight", "model.layers.%u.mlp.gate.weight"},
    {RBEE_T_FFN_GATE_INP_BIAS, "blk.%u.ffn_gate_inp.bias", "model.layers.%u.mlp.gate.bias"},
    {RBEE_T_FFN_EXP_PROBS_B, "blk.%u.exp_probs_b.bias", "model.layers.%u.mlp.gate.e_score_correction_bias"},
    {RBEE_T_FFN_GATE_EXPS, "blk.%u.ffn_gate_exps.weight", "model.layers.%u.mlp.experts.%%u.gate_proj.weight"},
    {RBEE_T_FFN_UP_EXPS, "blk.%u.ffn_up_exps.weight", "model.layers.%u.mlp.experts.%%u.up_proj.weight"},
    {RBEE_T_FFN_DOWN_EXPS, "blk.%u.ffn_down_exps.weight", "model.layers.%u.mlp.experts.%%u.down_proj.weight"},
    {RBEE_T_FFN_GATE_EXPS_BIAS, "blk.%u.ffn_gate_exps.bias", RBEE_NO_TENSOR},
    {RBEE_T_FFN_UP_EXPS_BIAS, "blk.%u.ffn_up_exps.bias", RBEE_NO_TENSOR},
    {RBEE_T_FFN_DOWN_EXPS_BIAS, "blk.%u.ffn_down_exps.bias", RBEE_NO_TENSOR},
    {RBEE_T_FFN_GATE_SHEXP, "blk.%u.ffn_gate_shexp.weight", "model.layers.%u.mlp.shared_expert.gate_proj.weight"},
    {RBEE_T_FFN_UP_SHEXP, "blk.%u.ffn_up_shexp.weight", "model.layers.%u.mlp.shared_expert.up_proj.weight"},
    {RBEE_T_FFN_DOWN_SHEXP, "blk.%u.ffn_down_shexp.weight", "model.layers.%u.mlp.shared_expert.down_proj.weight"},
    {RBEE_T_FFN_GATE_INP_SHEXP, "blk.%u.ffn_gate_inp_shexp.weight", "model.layers.%u.mlp.shared_expert_gate.weight"},
};

static inline const char* rbee_standard_tensor_name(rbee_tensor_id id, rbee_format format) {
  for (size_t i = 0; i < sizeof rbee_standard_tensor_names / sizeof rbee_standard_tensor_names[0]; ++i)
    if (rbee_standard_tensor_names[i].id == id)
      return format == RBEE_FORMAT_GGUF ? rbee_standard_tensor_names[i].gguf : rbee_standard_tensor_names[i].hf;
  return RBEE_NO_TENSOR;
}

/* The name pattern of tensor id in format: the family's row if it has one, else the standard
 * name; RBEE_NO_TENSOR ("") when that format has no such tensor. */
static inline const char* rbee_tensor_name_of(rbee_name_table table, rbee_tensor_id id, rbee_format format) {
  for (size_t i = 0; i < table.n_rows; ++i) {
    if (table.rows[i].id != id) continue;
    const char* name = format == RBEE_FORMAT_GGUF ? table.rows[i].gguf : table.rows[i].hf;
    if (name != NULL) return name;
  }
  return rbee_standard_tensor_name(id, format);
}

#ifdef __cplusplus
}
#endif
#endif
