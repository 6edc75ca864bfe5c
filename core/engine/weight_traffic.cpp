#include "engine/weight_traffic.hpp"

#include <algorithm>
#include <vector>

namespace rbee {

uint64_t weight_bytes_per_token(const Model& model) {
  const Graph graph = model.decode_graph();
  // Per weight node (one per tensor or set of experts): the share of its bytes read.
  struct Use {
    bool full = false;
    uint32_t embedded_rows = 0;  // rows gathered by Embed
    uint32_t experts_used = 0;   // experts a MoeLinear reads
  };
  const std::vector<Node>& nodes = graph.nodes();
  std::vector<Use> use(nodes.size());
  for (const Node& n : nodes)
    for (size_t i = 0; i < n.inputs.size(); ++i) {
      if (!graph.valid(n.inputs[i])) continue;
      const Node& w = graph.node(n.inputs[i]);
      if (w.kind != OpKind::Weight) continue;
      Use& u = use[static_cast<size_t>(n.inputs[i] - 1)];
      if (n.kind == OpKind::Embed && i == 0)
        u.embedded_rows = std::max(u.embedded_rows, n.rows);
      else if (n.kind == OpKind::MoeLinear && w.n_expert)
        u.experts_used = std::max(u.experts_used, std::min(n.moe.n_used, w.n_expert));
      else
        u.full = true;
    }
  uint64_t total = 0;
  for (size_t i = 0; i < nodes.size(); ++i) {
    const Node& w = nodes[i];
    if (w.kind != OpKind::Weight) continue;
    uint64_t bytes = 0;
    if (w.expert_parts.empty()) bytes = w.weight->nbytes;
    for (const TensorView* part : w.expert_parts) bytes += part->nbytes;
    const Use& u = use[i];
    if (u.full)
      total += bytes;
    else if (u.experts_used)
      total += bytes / w.n_expert * u.experts_used;
    else if (u.embedded_rows)
      total += bytes / std::max<uint32_t>(w.rows, 1) * std::min(u.embedded_rows, w.rows);
  }
  return total;
}

}  // namespace rbee
