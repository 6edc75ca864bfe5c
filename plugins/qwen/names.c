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
    .ffn_gate_inp = "blk.%u.ffn_gate_inp.weight",
    .ffn_gate_exps = "blk.%u.ffn_gate_exps.weight",
    .ffn_up_exps = "blk.%u.ffn_up_exps.weight",
    .ffn_down_exps = "blk.%u.ffn_down_exps.weight",
    .ffn_gate_shexp = "blk.%u.ffn_gate_shexp.weight",
    .ffn_up_shexp = "blk.%u.ffn_up_shexp.weight",
    .ffn_down_shexp = "blk.%u.ffn_down_shexp.weight",
    .ffn_gate_inp_shexp = "blk.%u.ffn_gate_inp_shexp.weight",
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
    .ffn_gate_inp = "model.layers.%u.mlp.gate.weight",
    .ffn_gate_exps = "model.layers.%u.mlp.experts.%%u.gate_proj.weight",
    .ffn_up_exps = "model.layers.%u.mlp.experts.%%u.up_proj.weight",
    .ffn_down_exps = "model.layers.%u.mlp.experts.%%u.down_proj.weight",
    .ffn_gate_shexp = "model.layers.%u.mlp.shared_expert.gate_proj.weight",
    .ffn_up_shexp = "model.layers.%u.mlp.shared_expert.up_proj.weight",
    .ffn_down_shexp = "model.layers.%u.mlp.shared_expert.down_proj.weight",
    .ffn_gate_inp_shexp = "model.layers.%u.mlp.shared_expert_gate.weight",
};

const qwen_names* qwen_names_for(rbee_format format) {
  return format == RBEE_FORMAT_GGUF ? &k_gguf : &k_hf;
}
