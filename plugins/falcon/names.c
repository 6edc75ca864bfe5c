/* Tensor names of Falcon in both formats. llama.cpp names ln_mlp (or the 7B's only
 * input_layernorm) attn_norm, and ln_attn attn_norm_2. */
#include "falcon.h"

static const falcon_names k_gguf_one = {
    .token_embd = "token_embd.weight",
    .output_norm = "output_norm.weight",
    .output_norm_bias = "output_norm.bias",
    .output = "output.weight",
    .mlp_norm = "blk.%u.attn_norm.weight",
    .mlp_norm_bias = "blk.%u.attn_norm.bias",
    .attn_qkv = "blk.%u.attn_qkv.weight",
    .attn_qkv_bias = "blk.%u.attn_qkv.bias",
    .attn_out = "blk.%u.attn_output.weight",
    .attn_out_bias = "blk.%u.attn_output.bias",
    .ffn_up = "blk.%u.ffn_up.weight",
    .ffn_up_bias = "blk.%u.ffn_up.bias",
    .ffn_down = "blk.%u.ffn_down.weight",
    .ffn_down_bias = "blk.%u.ffn_down.bias",
};

static const falcon_names k_gguf_two = {
    .token_embd = "token_embd.weight",
    .output_norm = "output_norm.weight",
    .output_norm_bias = "output_norm.bias",
    .output = "output.weight",
    .mlp_norm = "blk.%u.attn_norm.weight",
    .mlp_norm_bias = "blk.%u.attn_norm.bias",
    .attn_norm = "blk.%u.attn_norm_2.weight",
    .attn_norm_bias = "blk.%u.attn_norm_2.bias",
    .attn_qkv = "blk.%u.attn_qkv.weight",
    .attn_qkv_bias = "blk.%u.attn_qkv.bias",
    .attn_out = "blk.%u.attn_output.weight",
    .attn_out_bias = "blk.%u.attn_output.bias",
    .ffn_up = "blk.%u.ffn_up.weight",
    .ffn_up_bias = "blk.%u.ffn_up.bias",
    .ffn_down = "blk.%u.ffn_down.weight",
    .ffn_down_bias = "blk.%u.ffn_down.bias",
};

#define HF_COMMON                                                            \
  .token_embd = "transformer.word_embeddings.weight",                        \
  .output_norm = "transformer.ln_f.weight", .output_norm_bias = "transformer.ln_f.bias", \
  .output = "lm_head.weight",                                                \
  .attn_qkv = "transformer.h.%u.self_attention.query_key_value.weight",      \
  .attn_qkv_bias = "transformer.h.%u.self_attention.query_key_value.bias",   \
  .attn_out = "transformer.h.%u.self_attention.dense.weight",                \
  .attn_out_bias = "transformer.h.%u.self_attention.dense.bias",             \
  .ffn_up = "transformer.h.%u.mlp.dense_h_to_4h.weight",                     \
  .ffn_up_bias = "transformer.h.%u.mlp.dense_h_to_4h.bias",                  \
  .ffn_down = "transformer.h.%u.mlp.dense_4h_to_h.weight",                   \
  .ffn_down_bias = "transformer.h.%u.mlp.dense_4h_to_h.bias"

static const falcon_names k_hf_one = {
    HF_COMMON,
    .mlp_norm = "transformer.h.%u.input_layernorm.weight",
    .mlp_norm_bias = "transformer.h.%u.input_layernorm.bias",
};

static const falcon_names k_hf_two = {
    HF_COMMON,
    .mlp_norm = "transformer.h.%u.ln_mlp.weight",
    .mlp_norm_bias = "transformer.h.%u.ln_mlp.bias",
    .attn_norm = "transformer.h.%u.ln_attn.weight",
    .attn_norm_bias = "transformer.h.%u.ln_attn.bias",
};

static const falcon_names k_hf_sequential = {
    HF_COMMON,
    .mlp_norm = "transformer.h.%u.input_layernorm.weight",
    .mlp_norm_bias = "transformer.h.%u.input_layernorm.bias",
    .post_attn_norm = "transformer.h.%u.post_attention_layernorm.weight",
    .post_attn_norm_bias = "transformer.h.%u.post_attention_layernorm.bias",
};

const falcon_names* falcon_names_for(rbee_format format, falcon_block block) {
  if (format == RBEE_FORMAT_GGUF) return block == FALCON_PARALLEL_TWO_NORMS ? &k_gguf_two : &k_gguf_one;
  if (block == FALCON_PARALLEL_TWO_NORMS) return &k_hf_two;
  return block == FALCON_SEQUENTIAL ? &k_hf_sequential : &k_hf_one;
}
