// The executor's recorder of elementwise ops: a residual add or gated unit whose linears fold
// into one kernel (Fusions) records that kernel; the others run shaders/elementwise.comp.
#include <algorithm>

#include "graph/dispatch.hpp"
#include "graph/executor.hpp"

namespace rbee {

using namespace dispatch;

// Inputs: a, b (may be none).
void CompiledGraph::record_elementwise(const Graph& graph, const Node& n, rbee_tensor self) {
  const auto& in = n.inputs;
  if (rbee_tensor lin = fusions_.residual_of[self - 1]) {  // residual + linear: the linear's kernel adds
    record_linear(graph, graph.node(lin), self, in[0] == lin ? in[1] : in[0]);
    return;
  }
  if (fusions_.gate_up_of[self - 1].first != RBEE_TENSOR_NONE) {
    record_gate_up(graph, n, fusions_.gate_up_of[self - 1], self);
    return;
  }
  uint64_t count = uint64_t(n.rows) * n.cols;
  uint32_t b_len = static_cast<uint32_t>(count);
  if (in[1] != RBEE_TENSOR_NONE) b_len = graph.node(in[1]).rows * graph.node(in[1]).cols;
  // b as one column [rows, 1] broadcast over a's columns.
  bool column = in[1] != RBEE_TENSOR_NONE && graph.node(in[1]).cols == 1 && n.cols != 1;
  ElementwisePush pc{static_cast<uint32_t>(count), n.elementwise, b_len, n.factor, column ? n.cols : 0, n.factor2};
  uint32_t wg = config_.elementwise_wg;
  dispatch(Kernel::Elementwise, {bind(in[0], false), bind(in[1], true), bind(self, false)}, &pc, sizeof pc, {wg},
           std::min(div_up(count, wg), kMaxGroups), 1, 1);
}

}  // namespace rbee
