// The executor's recorders of ops that move values without arithmetic: column slices, column
// concatenation and the last row of a tensor.
#include <algorithm>

#include "graph/dispatch.hpp"
#include "graph/executor.hpp"

namespace rbee {

using namespace dispatch;

void CompiledGraph::record_slice(const Graph& graph, const Node& n, rbee_tensor self) {
  const Node& x = graph.node(n.inputs[0]);
  SlicePush pc{n.rows, x.cols, n.slice_begin, n.cols / n.groups, n.groups};
  uint32_t wg = config_.elementwise_wg;
  dispatch(Kernel::Slice, {bind(n.inputs[0], false), bind(self, false)}, &pc, sizeof pc, {wg},
           std::min(div_up(uint64_t(n.rows) * n.cols, wg), kMaxGroups), 1, 1);
}

void CompiledGraph::record_concat(const Graph& graph, const Node& n, rbee_tensor self) {
  ConcatPush pc{n.rows, graph.node(n.inputs[0]).cols, graph.node(n.inputs[1]).cols, n.groups};
  uint32_t wg = config_.elementwise_wg;
  dispatch(Kernel::Concat, {bind(n.inputs[0], false), bind(n.inputs[1], false), bind(self, false)}, &pc, sizeof pc,
           {wg}, std::min(div_up(uint64_t(n.rows) * n.cols, wg), kMaxGroups), 1, 1);
}

// A buffer copy, no kernel.
// The rows the step's segments output (the step buffer names them) gathered in order.
void CompiledGraph::record_output_rows(const Node& n, rbee_tensor self) {
  gathered_ = true;
  struct GatherPush { uint32_t cols; } pc{n.cols};
  const uint32_t wg = config_.elementwise_wg;
  dispatch(Kernel::GatherRows, {bind(n.inputs[0], false), bind(self, false), whole(*step_)}, &pc, sizeof pc, {wg},
           std::min(div_up(n.cols, wg), kMaxGroups), n.rows, 1);
}

}  // namespace rbee
