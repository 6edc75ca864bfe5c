// The executor's recorder of RMS and layer norms not folded into a linear.
#include <algorithm>

#include "graph/dispatch.hpp"
#include "graph/executor.hpp"

namespace rbee {

using namespace dispatch;

// Inputs: x, the weight and the bias (each may be none).
void CompiledGraph::record_norm(const Node& n, rbee_tensor self) {
  const auto& in = n.inputs;
  // Runs of group_size columns: whole rows, or heads for per-head norms.
  uint32_t groups = n.cols / n.norm.group_size;
  uint32_t runs = n.rows * groups;
  NormPush pc{runs, n.norm.group_size, n.norm.eps, n.norm.weight_offset, n.norm.kind == RBEE_NORM_LAYER,
              in[1] != RBEE_TENSOR_NONE, in[2] != RBEE_TENSOR_NONE, n.norm.weight_per_group ? groups : 1u};
  uint32_t gx = std::min(runs, kMaxGroups);
  dispatch(Kernel::Norm, {bind(in[0], false), bind(in[1], true), bind(in[2], true), bind(self, false)}, &pc, sizeof pc,
           {config_.reduce_wg}, gx, div_up(runs, gx), 1);
}

}  // namespace rbee
