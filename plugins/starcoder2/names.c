/* Tensor names of StarCoder2 in both formats. */
#include "starcoder2.h"

static const sc2_names k_gguf = {
    .token_embd = "token_embd.weight",
    .output_norm = "output_norm.weight",
    .output_norm_bias = "output_norm.bias",
    .output = "output.weight",
    .attn_norm = "blk.%u.attn_norm.weight",
    .attn_norm_bias = "blk.%u.attn_norm.bias",
    .attn_q = "blk.%u.attn_q.weight",
    .attn_k = "blk.%u.attn_k.weight",
    .attn_v = "blk.%u.attn_v.weight",
    .attn_q_bias = "blk.%u.attn_q.bias",
    .attn_k_bias = "blk.%u.attn_k.bias",
    .attn_v_bias = "blk.%u.attn_v.bias",
    .attn_out = "blk.%u.attn_output.weight",
    .attn_out_bias = "blk.%u.attn_output.bias",
    .ffn_norm = "blk.%u.ffn_norm.weight",
    .ffn_norm_bias = "blk.%u.ffn_norm.bias",
    .ffn_up = "blk.%u.ffn_up.weight",
    .ffn_up_bias = "blk.%u.ffn_up.bias",
    .ffn_down = "blk.%u.ffn_down.weight",
    .ffn_down_bias = "blk.%u.ffn_down.bias",
};

static const sc2_names k_hf = {
    .token_embd = "model.embed_tokens.weight",
    .output_norm = "model.norm.weight",
    .output_norm_bias = "model.norm.bias",
    .output = "lm_head.weight",
    .attn_norm = "model.layers.%u.input_layernorm.weight",
    .attn_norm_bias = "model.layers.%u.input_layernorm.bias",
    .attn_q = "model.layers.%u.self_attn.q_proj.weight",
    .attn_k = "model.layers.%u.self_attn.k_proj.weight",
    .attn_v = "model.layers.%u.self_attn.v_proj.weight",
    .attn_q_bias = "model.layers.%u.self_attn.q_proj.bias",
    .attn_k_bias = "model.layers.%u.self_attn.k_proj.bias",
    .attn_v_bias = "model.layers.%u.self_attn.v_proj.bias",
    .attn_out = "model.layers.%u.self_attn.o_proj.weight",
    .attn_out_bias = "model.layers.%u.self_attn.o_proj.bias",
    .ffn_norm = "model.layers.%u.post_attention_layernorm.weight",
    .ffn_norm_bias = "model.layers.%u.post_attention_layernorm.bias",
    .ffn_up = "model.layers.%u.mlp.c_fc.weight",
    .ffn_up_bias = "model.layers.%u.mlp.c_fc.bias",
    .ffn_down = "model.layers.%u.mlp.c_proj.weight",
    .ffn_down_bias = "model.layers.%u.mlp.c_proj.bias",
};

const sc2_names* sc2_names_for(rbee_format format) { return format == RBEE_FORMAT_GGUF ? &k_gguf : &k_hf; }
