/* Tensor names of the Gemma family in both formats. */
#include "gemma.h"

/* llama.cpp names every generation alike; Gemma 1 simply has no post-norms or Q/K norms. */
static const gemma_names k_gguf = {
    .token_embd = "token_embd.weight",
    .output_norm = "output_norm.weight",
    .output = "output.weight",
    .attn_norm = "blk.%u.attn_norm.weight",
    .attn_q = "blk.%u.attn_q.weight",
    .attn_k = "blk.%u.attn_k.weight",
    .attn_v = "blk.%u.attn_v.weight",
    .attn_out = "blk.%u.attn_output.weight",
    .attn_q_norm = "blk.%u.attn_q_norm.weight",
    .attn_k_norm = "blk.%u.attn_k_norm.weight",
    .attn_post_norm = "blk.%u.post_attention_norm.weight",
    .ffn_norm = "blk.%u.ffn_norm.weight",
    .ffn_gate = "blk.%u.ffn_gate.weight",
    .ffn_up = "blk.%u.ffn_up.weight",
    .ffn_down = "blk.%u.ffn_down.weight",
    .ffn_post_norm = "blk.%u.post_ffw_norm.weight",
};

/* Gemma 1: post_attention_layernorm is the norm before the MLP. */
static const gemma_names k_hf_gemma1 = {
    .token_embd = "model.embed_tokens.weight",
    .output_norm = "model.norm.weight",
    .output = "lm_head.weight",
    .attn_norm = "model.layers.%u.input_layernorm.weight",
    .attn_q = "model.layers.%u.self_attn.q_proj.weight",
    .attn_k = "model.layers.%u.self_attn.k_proj.weight",
    .attn_v = "model.layers.%u.self_attn.v_proj.weight",
    .attn_out = "model.layers.%u.self_attn.o_proj.weight",
    .ffn_norm = "model.layers.%u.post_attention_layernorm.weight",
    .ffn_gate = "model.layers.%u.mlp.gate_proj.weight",
    .ffn_up = "model.layers.%u.mlp.up_proj.weight",
    .ffn_down = "model.layers.%u.mlp.down_proj.weight",
};

/* Gemma 2 and 3: post_attention_layernorm normalizes the attention output. */
static const gemma_names k_hf_gemma2 = {
    .token_embd = "model.embed_tokens.weight",
    .output_norm = "model.norm.weight",
    .output = "lm_head.weight",
    .attn_norm = "model.layers.%u.input_layernorm.weight",
    .attn_q = "model.layers.%u.self_attn.q_proj.weight",
    .attn_k = "model.layers.%u.self_attn.k_proj.weight",
    .attn_v = "model.layers.%u.self_attn.v_proj.weight",
    .attn_out = "model.layers.%u.self_attn.o_proj.weight",
    .attn_q_norm = "model.layers.%u.self_attn.q_norm.weight",
    .attn_k_norm = "model.layers.%u.self_attn.k_norm.weight",
    .attn_post_norm = "model.layers.%u.post_attention_layernorm.weight",
    .ffn_norm = "model.layers.%u.pre_feedforward_layernorm.weight",
    .ffn_gate = "model.layers.%u.mlp.gate_proj.weight",
    .ffn_up = "model.layers.%u.mlp.up_proj.weight",
    .ffn_down = "model.layers.%u.mlp.down_proj.weight",
    .ffn_post_norm = "model.layers.%u.post_feedforward_layernorm.weight",
};

const gemma_names* gemma_names_for(rbee_format format, uint32_t generation) {
  if (format == RBEE_FORMAT_GGUF) return &k_gguf;
  return generation == 1 ? &k_hf_gemma1 : &k_hf_gemma2;
}
