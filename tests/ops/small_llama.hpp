#pragma once
// A small llama as a plugin would build it (F32 weights, all 0.01): for tests of what the
// executor makes of a whole forward pass.
#include <string>
#include <vector>

#include "ops/memory_source.hpp"
#include "rbee/graph.h"

namespace rbee::test {

constexpr uint32_t kDim = 64, kHeads = 4, kKvHeads = 2, kHeadDim = 16, kFf = 96, kVocab = 50, kLayers = 2;

inline void add_llama_weights(MemorySource& s) {
  auto w = [&](const std::string& name, std::vector<uint64_t> shape) {
    uint64_t n = 1;
    for (uint64_t d : shape) n *= d;
    s.add(name, DType::F32, shape, std::vector<float>(n, 0.01f));
  };
  w("tok_embd", {kVocab, kDim});
  for (uint32_t l = 0; l < kLayers; ++l) {
    std::string p = "blk." + std::to_string(l) + ".";
    w(p + "attn_norm", {kDim});
    w(p + "attn_q", {kHeads * kHeadDim, kDim});
    w(p + "attn_k", {kKvHeads * kHeadDim, kDim});
    w(p + "attn_v", {kKvHeads * kHeadDim, kDim});
    w(p + "attn_output", {kDim, kHeads * kHeadDim});
    w(p + "ffn_norm", {kDim});
    w(p + "ffn_gate", {kFf, kDim});
    w(p + "ffn_up", {kFf, kDim});
    w(p + "ffn_down", {kDim, kFf});
  }
  w("output_norm", {kDim});
  w("output", {kVocab, kDim});
}

// The forward pass of a small llama, as a plugin would build it.
inline rbee_tensor build_llama(const rbee_graph_api& api, rbee_graph* g) {
  rbee_norm_params norm{sizeof norm, RBEE_NORM_RMS, 1e-5f, 0.0f};
  rbee_rope_params rope{sizeof rope, 0, kHeadDim, kHeadDim, RBEE_ROPE_NORMAL, 10000.0f, RBEE_ROPE_SCALING_NONE, 1, 1, 4, 0};
  rbee_tensor x = api.embed(g, api.weight(g, "tok_embd"), api.input_tokens(g));
  for (uint32_t l = 0; l < kLayers; ++l) {
    std::string p = "blk." + std::to_string(l) + ".";
    auto W = [&](const char* n) { return api.weight(g, (p + n).c_str()); };
    rbee_tensor h = api.norm(g, x, W("attn_norm"), RBEE_TENSOR_NONE, &norm);
    rope.n_heads = kHeads;
    rbee_tensor q = api.rope(g, api.linear(g, h, W("attn_q"), RBEE_TENSOR_NONE), RBEE_TENSOR_NONE, &rope);
    rope.n_heads = kKvHeads;
    rbee_tensor k = api.rope(g, api.linear(g, h, W("attn_k"), RBEE_TENSOR_NONE), RBEE_TENSOR_NONE, &rope);
    rbee_tensor v = api.linear(g, h, W("attn_v"), RBEE_TENSOR_NONE);
    rbee_attention_params ap{sizeof ap, l, kHeads, kKvHeads, kHeadDim, kHeadDim, 0.25f};
    rbee_tensor a = api.attention(g, q, k, v, &ap);
    x = api.binary(g, x, api.linear(g, a, W("attn_output"), RBEE_TENSOR_NONE), RBEE_BINARY_ADD);
    h = api.norm(g, x, W("ffn_norm"), RBEE_TENSOR_NONE, &norm);
    rbee_tensor ff = api.gated(g, api.linear(g, h, W("ffn_gate"), RBEE_TENSOR_NONE),
                               api.linear(g, h, W("ffn_up"), RBEE_TENSOR_NONE), RBEE_UNARY_SILU);
    x = api.binary(g, x, api.linear(g, ff, W("ffn_down"), RBEE_TENSOR_NONE), RBEE_BINARY_ADD);
  }
  x = api.output_rows(g, x);
  x = api.norm(g, x, api.weight(g, "output_norm"), RBEE_TENSOR_NONE, &norm);
  return api.linear(g, x, api.weight(g, "output"), RBEE_TENSOR_NONE);
}

}  // namespace rbee::test
