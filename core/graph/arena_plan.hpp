#pragma once
#include <cstdint>
#include <vector>

#include "graph/fusion.hpp"
#include "graph/graph.hpp"

namespace rbee {

// Where each activation of a graph lives in one scratch buffer. An activation's bytes are
// reused once its last reader has run; an op's output never shares bytes with its inputs.
struct ArenaPlan {
  std::vector<uint64_t> offset;  // per node (index = handle - 1); unused for weights and tokens
  uint64_t size = 0;
};

// Folded nodes (see Fusions) get no bytes; liveness follows what each dispatch reads.
ArenaPlan plan_arena(const Graph& graph, const Fusions& fusions, uint64_t alignment);

}  // namespace rbee
