/* Tensor names of the deepseek family in both formats. */
#include "deepseek.h"

static const deepseek_names k_gguf = {
    .token_embd = "token_embd.weight",
    .output_norm = "output_norm.weight",
    .output = "output.weight",
    .attn_norm = "blk.%u.attn_norm.weight",
    .attn_q = "blk.%u.attn_q.weight",
    .attn_q_a = "blk.%u.attn_q_a.weight",
    .attn_q_a_norm = "blk.%u.attn_q_a_norm.weight",
    .attn_q_b = "blk.%u.attn_q_b.weight",
    .attn_kv_a_mqa = "blk.%u.attn_kv_a_mqa.weight",
    .attn_kv_a_norm = "blk.%u.attn_kv_a_norm.weight",
    .attn_kv_b = "blk.%u.attn_kv_b.weight",
    .attn_k_b = "blk.%u.attn_k_b.weight",
    .attn_v_b = "blk.%u.attn_v_b.weight",
    .attn_out = "blk.%u.attn_output.weight",
    .ffn_norm = "blk.%u.ffn_norm.weight",
    .ffn_gate = "blk.%u.ffn_gate.weight",
    .ffn_up = "blk.%u.ffn_up.weight",
    .ffn_down = "blk.%u.ffn_down.weight",
    .ffn_gate_inp = "blk.%u.ffn_gate_inp.weight",
    .exp_probs_b = "blk.%u.exp_probs_b.bias",
    .ffn_gate_exps = "blk.%u.ffn_gate_exps.weight",
    .ffn_up_exps = "blk.%u.ffn_up_exps.weight",
    .ffn_down_exps = "blk.%u.ffn_down_exps.weight",
    .ffn_gate_shexp = "blk.%u.ffn_gate_shexp.weight",
    .ffn_up_shexp = "blk.%u.ffn_up_shexp.weight",
    .ffn_down_shexp = "blk.%u.ffn_down_shexp.weight",
};

static const deepseek_names k_hf = {
    .token_embd = "model.embed_tokens.weight",
    .output_norm = "model.norm.weight",
    .output = "lm_head.weight",
    .attn_norm = "model.layers.%u.input_layernorm.weight",
    .attn_q = "model.layers.%u.self_attn.q_proj.weight",
    .attn_q_a = "model.layers.%u.self_attn.q_a_proj.weight",
    .attn_q_a_norm = "model.layers.%u.self_attn.q_a_layernorm.weight",
    .attn_q_b = "model.layers.%u.self_attn.q_b_proj.weight",
    .attn_kv_a_mqa = "model.layers.%u.self_attn.kv_a_proj_with_mqa.weight",
    .attn_kv_a_norm = "model.layers.%u.self_attn.kv_a_layernorm.weight",
    .attn_kv_b = "model.layers.%u.self_attn.kv_b_proj.weight",
    .attn_k_b = NULL,
    .attn_v_b = NULL,
    .attn_out = "model.layers.%u.self_attn.o_proj.weight",
    .ffn_norm = "model.layers.%u.post_attention_layernorm.weight",
    .ffn_gate = "model.layers.%u.mlp.gate_proj.weight",
    .ffn_up = "model.layers.%u.mlp.up_proj.weight",
    .ffn_down = "model.layers.%u.mlp.down_proj.weight",
    .ffn_gate_inp = "model.layers.%u.mlp.gate.weight",
    .exp_probs_b = "model.layers.%u.mlp.gate.e_score_correction_bias",
    .ffn_gate_exps = "model.layers.%u.mlp.experts.%%u.gate_proj.weight",
    .ffn_up_exps = "model.layers.%u.mlp.experts.%%u.up_proj.weight",
    .ffn_down_exps = "model.layers.%u.mlp.experts.%%u.down_proj.weight",
    .ffn_gate_shexp = "model.layers.%u.mlp.shared_experts.gate_proj.weight",
    .ffn_up_shexp = "model.layers.%u.mlp.shared_experts.up_proj.weight",
    .ffn_down_shexp = "model.layers.%u.mlp.shared_experts.down_proj.weight",
};

const deepseek_names* deepseek_names_for(rbee_format format) {
  return format == RBEE_FORMAT_GGUF ? &k_gguf : &k_hf;
}
