#pragma once
#include <vector>

#include "graph/graph.hpp"

namespace rbee {

// Ops the executor computes inside their consumer instead of on their own, saving a dispatch
// and a write and read of the activation. Today: a gated unit act(gate) * up whose only reader
// is a linear, which then reads gate and up and applies the unit as it loads its input.
struct Fusions {
  std::vector<bool> folded;                 // per node (handle - 1): computed by its consumer
  std::vector<std::vector<rbee_tensor>> reads;  // per node: the tensors its dispatches read
};

// gated_into_linear: whether the device's linear kernels can take a gated input.
Fusions find_fusions(const Graph& graph, bool gated_into_linear);

}  // namespace rbee
