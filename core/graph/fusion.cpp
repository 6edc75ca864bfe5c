#include "graph/fusion.hpp"

namespace rbee {

Fusions find_fusions(const Graph& graph, bool gated_into_linear) {
  const auto& nodes = graph.nodes();
  Fusions f;
  f.folded.assign(nodes.size(), false);
  f.reads.resize(nodes.size());
  std::vector<int> readers(nodes.size(), 0);
  for (size_t i = 0; i < nodes.size(); ++i) {
    f.reads[i] = nodes[i].inputs;
    for (rbee_tensor in : nodes[i].inputs)
      if (in != RBEE_TENSOR_NONE) ++readers[in - 1];
  }
  if (!gated_into_linear) return f;
  for (size_t i = 0; i < nodes.size(); ++i) {
    const Node& n = nodes[i];
    if (n.kind != OpKind::Linear) continue;
    rbee_tensor x = n.inputs[0];
    const Node& in = graph.node(x);
    bool gated = in.kind == OpKind::Elementwise && in.elementwise >= kGated;
    if (!gated || readers[x - 1] != 1 || x == graph.output()) continue;
    f.folded[x - 1] = true;
    f.reads[x - 1].clear();
    // The linear reads gate and up in place of the unit's output.
    f.reads[i] = {in.inputs[0], in.inputs[1], n.inputs[1], n.inputs[2]};
  }
  return f;
}

}  // namespace rbee
