// The executor's recorder of embeddings: the rows of a table picked by token ids, a dispatch per
// slice of the table's rows where it is larger than the device binds at once.
#include <algorithm>

#include "graph/dispatch.hpp"
#include "graph/executor.hpp"
#include "graph/weight_kernel.hpp"

namespace rbee {

using namespace dispatch;

// Inputs: the table, the token ids.
void CompiledGraph::record_embed(const Graph& graph, const Node& n, rbee_tensor self) {
  const Node& table = graph.node(n.inputs[0]);
  const uint32_t wg = config_.elementwise_wg;
  for (RowSlice slice : row_slices(table)) {
    EmbedPush pc{n.cols, table.rows, slice.first, slice.count};
    dispatch(weight_kernel(WeightKernel::Embed, table.weight->dtype),
             {weight_rows(table, slice), bind(n.inputs[1], false), bind(self, false)}, &pc, sizeof pc, {wg},
             std::min(div_up(n.cols, wg), kMaxGroups), n.rows, 1);
  }
}

}  // namespace rbee
