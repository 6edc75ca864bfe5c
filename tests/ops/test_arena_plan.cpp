// plan_arena on a llama-like graph: two activations whose lifetimes overlap (from the op that
// writes one to the last op that reads it; the output lives to the end) never share bytes, so
// in particular no op's output overlaps any of its inputs.
#include "graph/arena_plan.hpp"
#include "ops/op_harness.hpp"

namespace rbee::test {
namespace {

constexpr uint32_t kDim = 64, kHeads = 4, kKvHeads = 2, kHeadDim = 16, kFf = 96, kVocab = 50, kLayers = 2;

void add_llama_weights(MemorySource& s) {
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
rbee_tensor build_llama(const rbee_graph_api& api, rbee_graph* g) {
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

bool in_arena(const Node& n) { return n.kind != OpKind::Weight && n.kind != OpKind::Tokens; }

TEST(ArenaPlan, LiveActivationsNeverOverlapInALlamaGraph) {
  MemorySource source;
  add_llama_weights(source);
  for (uint32_t tokens : {1u, 7u, 64u})
    for (bool all_logits : {false, true})
      for (uint64_t alignment : {16u, 256u})
        for (int fusing : {0, 1, 2}) {  // none; all but the input fusions; all
        const bool fused = fusing > 0;
        Graph graph(source, tokens, all_logits, 256);
        auto* g = reinterpret_cast<rbee_graph*>(&graph);
        ASSERT_EQ(graph_api()->set_output(g, build_llama(*graph_api(), g)), RBEE_OK) << graph.error();
        const auto& nodes = graph.nodes();
        Fusions fusions = find_fusions(graph, {.enabled = fused, .inputs = fusing == 2});
        // Per layer: the attention output and down projections into their residual adds, the
        // keys' and queries' ropes into the attention; with the inputs, the gated unit into the
        // down projection and both norms into their linears, plus the output norm.
        if (fused) {
          ASSERT_EQ(std::count(fusions.folded.begin(), fusions.folded.end(), true), fusing == 2 ? 15 : 8);
        }
        ArenaPlan plan = plan_arena(graph, fusions, alignment);
        ASSERT_EQ(plan.offset.size(), nodes.size());

        // Lifetime [i, last reader] of each activation; the output lives past the last op.
        std::vector<size_t> last(nodes.size());
        for (size_t i = 0; i < nodes.size(); ++i) {
          last[i] = i;
          for (rbee_tensor in : fusions.reads[i])
            if (in != RBEE_TENSOR_NONE) last[in - 1] = std::max(last[in - 1], i);
        }
        last[graph.output() - 1] = nodes.size();

        const std::string where = std::to_string(tokens) + " tokens, all_logits " + std::to_string(all_logits) +
                                  ", alignment " + std::to_string(alignment) + ", fusing " + std::to_string(fusing);
        for (size_t i = 0; i < nodes.size(); ++i) {
          if (!in_arena(nodes[i]) || fusions.folded[i]) continue;
          uint64_t bi = uint64_t(nodes[i].rows) * nodes[i].cols * 4;
          EXPECT_EQ(plan.offset[i] % alignment, 0u) << "node " << i + 1 << ", " << where;
          EXPECT_LE(plan.offset[i] + bi, plan.size) << "node " << i + 1 << ", " << where;
          for (size_t j = i + 1; j < nodes.size(); ++j) {
            if (!in_arena(nodes[j]) || fusions.folded[j] || last[i] < j) continue;  // i is dead when j is written
            uint64_t bj = uint64_t(nodes[j].rows) * nodes[j].cols * 4;
            bool disjoint = plan.offset[i] + bi <= plan.offset[j] || plan.offset[j] + bj <= plan.offset[i];
            EXPECT_TRUE(disjoint) << "node " << j + 1 << " (written at op " << j << ") overlaps node " << i + 1
                                  << ", live until op " << last[i] << ", " << where;
          }
        }
      }
}

// The same graph compiles and runs (every op of a llama layer together, weights 0.01).
TEST(ArenaPlan, LlamaGraphCompilesAndRuns) {
  rbee_kv_layout kv{sizeof kv, kKvHeads, kHeadDim, kHeadDim};
  OpHarness h({kv, kv}, 32, KvType::F16);
  add_llama_weights(h.source());
  auto cg = h.compile(7, build_llama, false);
  std::vector<float> logits = OpHarness::run(*cg, {1, 2, 3, 4, 5, 6, 7}, 0);
  ASSERT_EQ(logits.size(), kVocab);
  for (float v : logits) EXPECT_TRUE(std::isfinite(v));
}

}  // namespace
}  // namespace rbee::test
