#pragma once
#include <vector>

#include "graph/graph.hpp"

namespace rbee {

// Ops the executor computes inside their consumer instead of on their own, saving a dispatch
// and a write and read of the activation:
//  - a gated unit act(gate) * up whose only reader is a linear, which then reads gate and up and
//    applies the unit as it loads its input;
//  - a linear whose only reader is an add of the same shape (the residual connection): the add
//    runs the linear's kernel, which adds the other operand as it writes.
struct Fusions {
  std::vector<bool> folded;                 // per node (handle - 1): computed by its consumer
  std::vector<std::vector<rbee_tensor>> reads;  // per node: the tensors its dispatches read
  std::vector<rbee_tensor> residual_of;     // per add node: the linear it runs, or NONE
};

// into_linear: whether the device's linear kernels take these fusions (the subgroup kernels do).
Fusions find_fusions(const Graph& graph, bool into_linear);

}  // namespace rbee
