// plan_arena on a llama-like graph: two activations whose lifetimes overlap (from the op that
// writes one to the last op that reads it; the output lives to the end) never share bytes, so
// in particular no op's output overlaps any of its inputs.
#include "graph/arena_plan.hpp"
#include "ops/op_harness.hpp"
#include "ops/small_llama.hpp"

namespace rbee::test {
namespace {

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
        graph_api()->set_output(g, build_llama(*graph_api(), g));
        ASSERT_EQ(graph_api()->graph_status(g), RBEE_OK) << graph.error();
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
