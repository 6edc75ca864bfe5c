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
void CompiledGraph::record_output_rows(const Graph& graph, const Node& n, rbee_tensor self) {
  const Node& x = graph.node(n.inputs[0]);
  Binding src = bind(n.inputs[0], false), dst = bind(self, false);
  copy(src.buffer, src.offset + uint64_t(x.rows - 1) * x.cols * 4, dst.buffer, dst.offset, uint64_t(n.cols) * 4);
}

}  // namespace rbee
