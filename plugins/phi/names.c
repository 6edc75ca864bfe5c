/* Tensor names of Phi-2 and Phi-3 in both formats. llama.cpp names both generations alike. */
#include "phi.h"

static const phi_names k_gguf = {
    .token_embd = "token_embd.weight",
    .output_norm = "output_norm.weight",
    .output_norm_bias = "output_norm.bias",
    .output = "output.weight",
    .output_bias = "output.bias",
    .rope_factors_long = "rope_factors_long.weight",
    .rope_factors_short = "rope_factors_short.weight",
    .attn_norm = "blk.%u.attn_norm.weight",
    .attn_norm_bias = "blk.%u.attn_norm.bias",
    .attn_qkv = "blk.%u.attn_qkv.weight",
    .attn_qkv_bias = "blk.%u.attn_qkv.bias",
    .attn_q = "blk.%u.attn_q.weight",
    .attn_k = "blk.%u.attn_k.weight",
    .attn_v = "blk.%u.attn_v.weight",
    .attn_q_bias = "blk.%u.attn_q.bias",
    .attn_k_bias = "blk.%u.attn_k.bias",
    .attn_v_bias = "blk.%u.attn_v.bias",
    .attn_out = "blk.%u.attn_output.weight",
    .attn_out_bias = "blk.%u.attn_output.bias",
    .ffn_norm = "blk.%u.ffn_norm.weight",
    .ffn_up = "blk.%u.ffn_up.weight",
    .ffn_up_bias = "blk.%u.ffn_up.bias",
    .ffn_down = "blk.%u.ffn_down.weight",
    .ffn_down_bias = "blk.%u.ffn_down.bias",
};

static const phi_names k_hf_phi2 = {
    .token_embd = "model.embed_tokens.weight",
    .output_norm = "model.final_layernorm.weight",
    .output_norm_bias = "model.final_layernorm.bias",
    .output = "lm_head.weight",
    .output_bias = "lm_head.bias",
    .attn_norm = "model.layers.%u.input_layernorm.weight",
    .attn_norm_bias = "model.layers.%u.input_layernorm.bias",
    .attn_q = "model.layers.%u.self_attn.q_proj.weight",
    .attn_k = "model.layers.%u.self_attn.k_proj.weight",
    .attn_v = "model.layers.%u.self_attn.v_proj.weight",
    .attn_q_bias = "model.layers.%u.self_attn.q_proj.bias",
    .attn_k_bias = "model.layers.%u.self_attn.k_proj.bias",
    .attn_v_bias = "model.layers.%u.self_attn.v_proj.bias",
    .attn_out = "model.layers.%u.self_attn.dense.weight",
    .attn_out_bias = "model.layers.%u.self_attn.dense.bias",
    .ffn_up = "model.layers.%u.mlp.fc1.weight",
    .ffn_up_bias = "model.layers.%u.mlp.fc1.bias",
    .ffn_down = "model.layers.%u.mlp.fc2.weight",
    .ffn_down_bias = "model.layers.%u.mlp.fc2.bias",
};

static const phi_names k_hf_phi3 = {
    .token_embd = "model.embed_tokens.weight",
    .output_norm = "model.norm.weight",
    .output = "lm_head.weight",
    .attn_norm = "model.layers.%u.input_layernorm.weight",
    .attn_qkv = "model.layers.%u.self_attn.qkv_proj.weight",
    .attn_out = "model.layers.%u.self_attn.o_proj.weight",
    .ffn_norm = "model.layers.%u.post_attention_layernorm.weight",
    .ffn_up = "model.layers.%u.mlp.gate_up_proj.weight",
    .ffn_down = "model.layers.%u.mlp.down_proj.weight",
};

const phi_names* phi_names_for(rbee_format format, phi_generation generation) {
  if (format == RBEE_FORMAT_GGUF) return &k_gguf;
  return generation == PHI_2 ? &k_hf_phi2 : &k_hf_phi3;
}
