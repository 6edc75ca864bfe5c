// The executor's recorders of mixture-of-experts ops: routing, the experts' linears (also the
// per-head linears of head_linear) and the weighted sum of the chosen experts' outputs.
#include <algorithm>
#include <stdexcept>

#include "graph/dispatch.hpp"
#include "graph/executor.hpp"
#include "graph/weight_kernel.hpp"

namespace rbee {

using namespace dispatch;

// Routing per token, then (for batches) the rows of each expert listed for moe_linear.
void CompiledGraph::record_moe_route(const Node& n, rbee_tensor self) {
  const rbee_moe_route_params& m = n.moe;
  MoeRoutePush pc{n.rows, m.n_expert, m.n_used, m.gating == RBEE_MOE_SIGMOID, m.normalize, m.scale, m.n_group,
                  m.topk_group, m.group_top, n.inputs[1] != RBEE_TENSOR_NONE};
  uint32_t wg = config_.elementwise_wg;
  dispatch(Kernel::MoeRoute, {bind(n.inputs[0], false), bind(n.inputs[1], true), bind(self, false)}, &pc, sizeof pc,
           {wg}, div_up(n.rows, wg), 1, 1);
  if (n.rows > 1) {
    MoeBucketPush bp{n.rows, m.n_expert, m.n_used};
    dispatch(Kernel::MoeBucket, {bind(self, false)}, &bp, sizeof bp, {config_.reduce_wg}, 1, 1, 1);
  }
}

// One token: a mat-vec per (token, chosen expert) row. Batches: per expert, tiles of the rows
// listed for it, so that its weights are read once. Without routing (head_linear) head h of
// every token is expert h.
void CompiledGraph::record_moe_linear(const Graph& graph, const Node& n, rbee_tensor self) {
  if (!config_.subgroup_wg)
    throw std::runtime_error("mixture-of-experts and per-head layers need a device with subgroup arithmetic");
  bool identity = n.inputs[2] == RBEE_TENSOR_NONE;
  const Node &x = graph.node(n.inputs[0]), &w = graph.node(n.inputs[1]);
  uint32_t tokens = identity ? x.rows : graph.node(n.inputs[2]).rows, k = n.moe.n_used;
  uint32_t out_cols = identity ? w.rows : n.cols;
  bool batch = tokens > 1;
  uint32_t tiles = div_up(tokens, kSubgroupTokens);
  // Batches: every (head, tile) with identity; with routing, the bound on listed tiles.
  uint64_t gz = !batch ? uint64_t(tokens) * k
                : identity ? uint64_t(w.n_expert) * tiles
                           : RoutingLayout{tokens, w.n_expert, k}.max_tiles();
  if (gz > kMaxGroups) throw std::runtime_error("moe_linear: too many tokens x experts for one dispatch");
  uint32_t groups = div_up(out_cols, config_.subgroup_rows);
  uint32_t gx = std::min(groups, kMaxGroups);
  // moe_linear_bias: the chosen experts' biases [n_expert, out] (inputs[3]).
  const bool expert_bias = n.inputs.size() > 3 && n.inputs[3] != RBEE_TENSOR_NONE;
  MoeMatmulPush pc{w.cols, out_cols, tokens, 0, gx, 0, 0, 0, 0, out_cols, k, identity || x.rows != tokens, w.n_expert, tiles,
                   identity, expert_bias};
  Binding none = whole(*dummy_);
  std::vector<Binding> bindings{bind(n.inputs[0], false), bind(n.inputs[1], false),
                                expert_bias ? bind(n.inputs[3], true) : none, bind(self, false), none,
                                bind(n.inputs[2], false), none, none};
  // On a CPU implementation, block-quantized experts run matmul_rows' expert variants (a lane per
  // output row reading whole blocks, as dense linears do), with moe_matmul's grid in z: an output
  // row for decode, a listed tile of kSubgroupTokens rows for batches (TOKENS=8u, shaders/CMakeLists.txt).
  const LinearKernel family = linear_kernel(w, /*folded_input=*/false);
  using K = WeightKernel;
  if (family == LinearKernel::Rows && kernel_type(w) == w.weight->dtype) {
    bindings[0].texel = VK_FORMAT_R32G32B32A32_SFLOAT;
    bindings[1].texel = VK_FORMAT_R32G32B32A32_UINT;
    const uint32_t lane_rows = batch ? config_.row_kernel_rows : config_.row_kernel_vec_rows;
    const uint32_t row_groups = div_up(out_cols, config_.subgroup_wg * lane_rows);
    pc.groups_x = std::min(row_groups, kMaxGroups);
    dispatch(weight_kernel(batch ? K::MoeMatmulRows : K::MoeMatvecRows, kernel_type(w)), bindings, &pc, sizeof pc,
             {config_.subgroup_wg, config_.subgroup_wg, lane_rows}, pc.groups_x, div_up(row_groups, pc.groups_x),
             static_cast<uint32_t>(gz));
    return;
  }
  bool texel = family == LinearKernel::Texel;
  if (texel) {
    bindings[0].texel = bindings[7].texel = VK_FORMAT_R32_SFLOAT;
    bindings[1].texel = VK_FORMAT_R32_UINT;
  }
  WeightKernel kind = batch ? (texel ? K::MoeMatmulTexel : K::MoeMatmul) : (texel ? K::MoeMatvecTexel : K::MoeMatvec);
  dispatch(weight_kernel(kind, kernel_type(w)), bindings, &pc, sizeof pc, {config_.subgroup_wg, config_.subgroup_rows},
           gx, div_up(groups, gx), static_cast<uint32_t>(gz));
}

void CompiledGraph::record_moe_combine(const Graph& graph, const Node& n, rbee_tensor self) {
  MoeCombinePush pc{graph.node(n.inputs[1]).rows, n.cols, n.moe.n_used};
  uint32_t wg = config_.elementwise_wg;
  dispatch(Kernel::MoeCombine, {bind(n.inputs[0], false), bind(n.inputs[1], false), bind(self, false)}, &pc, sizeof pc,
           {wg}, std::min(div_up(uint64_t(n.rows) * n.cols, wg), kMaxGroups), 1, 1);
}

}  // namespace rbee
