/* Tensor names of the qwen family in both formats. */
#include "qwen.h"

static const qwen_names k_gguf = {
    .token_embd = "token_embd.weight",
    .output_norm = "output_norm.weight",
    .output = "output.weight",
    .attn_norm = "blk.%u.attn_norm.weight",
    .attn_q = "blk.%u.attn_q.weight",
    .attn_k = "blk.%u.attn_k.weight",
    .attn_v = "blk.%u.attn_v.weight",
    .attn_out = "blk.%u.attn_output.weight",
    .attn_q_bias = "blk.%u.attn_q.bias",
    .attn_k_bias = "blk.%u.attn_k.bias",
    .attn_v_bias = "blk.%u.attn_v.bias",
    .attn_out_bias = "blk.%u.attn_output.bias",
    .attn_q_norm = "blk.%u.attn_q_norm.weight",
    .attn_k_norm = "blk.%u.attn_k_norm.weight",
    .ffn_norm = "blk.%u.ffn_norm.weight",
    .ffn_gate = "blk.%u.ffn_gate.weight",
    .ffn_up = "blk.%u.ffn_up.weight",
    .ffn_down = "blk.%u.ffn_down.weight",
};

static const qwen_names k_hf = {
    .token_embd = "model.embed_tokens.weight",
    .output_norm = "model.norm.weight",
    .output = "lm_head.weight",
    .attn_norm = "model.layers.%u.input_layernorm.weight",
    .attn_q = "model.layers.%u.self_attn.q_proj.weight",
    .attn_k = "model.layers.%u.self_attn.k_proj.weight",
    .attn_v = "model.layers.%u.self_attn.v_proj.weight",
    .attn_out = "model.layers.%u.self_attn.o_proj.weight",
    .attn_q_bias = "model.layers.%u.self_attn.q_proj.bias",
    .attn_k_bias = "model.layers.%u.self_attn.k_proj.bias",
    .attn_v_bias = "model.layers.%u.self_attn.v_proj.bias",
    .attn_out_bias = "model.layers.%u.self_attn.o_proj.bias",
    .attn_q_norm = "model.layers.%u.self_attn.q_norm.weight",
    .attn_k_norm = "model.layers.%u.self_attn.k_norm.weight",
    .ffn_norm = "model.layers.%u.post_attention_layernorm.weight",
    .ffn_gate = "model.layers.%u.mlp.gate_proj.weight",
    .ffn_up = "model.layers.%u.mlp.up_proj.weight",
    .ffn_down = "model.layers.%u.mlp.down_proj.weight",
};

const qwen_names* qwen_names_for(rbee_format format) {
  return format == RBEE_FORMAT_GGUF ? &k_gguf : &k_hf;
}
