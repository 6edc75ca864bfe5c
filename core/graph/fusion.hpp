#pragma once
#include <functional>
#include <utility>
#include <vector>

#include "graph/graph.hpp"

namespace rbee {

// Ops the executor computes inside their consumer instead of on their own, saving a dispatch
// and a write and read of the activation:
//  - a gated unit act(gate) * up whose only reader is a linear, which then reads gate and up and
//    applies the unit as it loads its input;
//  - an RMS norm of whole rows whose every reader is a linear (as its input): each linear
//    normalizes as it loads its input and scales its results by the inverse RMS;
//  - a linear whose only reader is an add of the same shape (the residual connection): the add
//    runs the linear's kernel, which adds the other operand as it writes;
//  - the rotary embedding of the keys, when attention is their only reader: the KV store
//    rotates them as it writes them to the cache; and of the queries: attention rotates them
//    as it loads them;
//  - a gated unit act(x W^T) * (x U^T) whose two linears read one input (or one folded norm),
//    have no bias and are read by the unit alone, where the executor pairs such weights: one
//    kernel computes both linears and the unit. Such a unit is not folded into its reader.
struct Fusions {
  std::vector<bool> folded;                 // per node (handle - 1): computed by its consumer
  std::vector<std::vector<rbee_tensor>> reads;  // per node: the tensors its dispatches read
  std::vector<rbee_tensor> residual_of;     // per add node: the linear it runs, or NONE
  std::vector<rbee_tensor> key_rope_of;     // per attention node: the keys' rope it applies, or NONE
  std::vector<rbee_tensor> query_rope_of;   // per attention node: the queries' rope it applies, or NONE
  std::vector<std::pair<rbee_tensor, rbee_tensor>> gate_up_of;  // per gated unit: its (gate, up) linears
};

struct FusionOptions {
  bool enabled = true;  // fuse at all (the fused kernels need subgroup arithmetic; tests compare with none)
  bool inputs = true;   // fold the ops computing a linear's input, gated units and norms (KernelConfig::fold_inputs)
  // Whether one kernel can run a gate/up pair with these weights, reading a folded norm or
  // not; empty: pair none.
  std::function<bool(const Node& weight, bool normed_input)> pair_gate_up;
};

Fusions find_fusions(const Graph& graph, const FusionOptions& options);

}  // namespace rbee
