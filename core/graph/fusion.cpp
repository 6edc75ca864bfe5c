#include "graph/fusion.hpp"

#include <algorithm>

namespace rbee {

Fusions find_fusions(const Graph& graph, const FusionOptions& options) {
  const auto& nodes = graph.nodes();
  Fusions f;
  f.folded.assign(nodes.size(), false);
  f.reads.resize(nodes.size());
  f.residual_of.assign(nodes.size(), RBEE_TENSOR_NONE);
  f.key_rope_of.assign(nodes.size(), RBEE_TENSOR_NONE);
  f.query_rope_of.assign(nodes.size(), RBEE_TENSOR_NONE);
  f.gate_up_of.assign(nodes.size(), {RBEE_TENSOR_NONE, RBEE_TENSOR_NONE});
  std::vector<int> readers(nodes.size(), 0);
  std::vector<int> linear_input_readers(nodes.size(), 0);  // linears reading the node as their input x
  for (size_t i = 0; i < nodes.size(); ++i) {
    f.reads[i] = nodes[i].inputs;
    for (rbee_tensor in : nodes[i].inputs)
      if (in != RBEE_TENSOR_NONE) ++readers[in - 1];
    if (nodes[i].kind == OpKind::Linear) ++linear_input_readers[nodes[i].inputs[0] - 1];
  }
  if (!options.enabled) return f;
  auto sole_input = [&](rbee_tensor t) { return readers[t - 1] == 1 && t != graph.output(); };
  for (size_t i = 0; i < nodes.size(); ++i) {
    const Node& n = nodes[i];
    if (n.kind != OpKind::Linear) continue;
    rbee_tensor x = n.inputs[0];
    const Node& in = graph.node(x);
    bool whole_row_rms = in.kind == OpKind::Norm && in.norm.kind == RBEE_NORM_RMS && in.norm.group_size == in.cols &&
                         in.inputs[2] == RBEE_TENSOR_NONE;
    if (!options.inputs || !whole_row_rms || x == graph.output() || readers[x - 1] != linear_input_readers[x - 1]) continue;
    f.folded[x - 1] = true;
    f.reads[x - 1].clear();
    // The linear reads the norm's input and weight in place of its output.
    std::erase(f.reads[i], x);
    f.reads[i].push_back(in.inputs[0]);
    f.reads[i].push_back(in.inputs[1]);
  }
  for (size_t i = 0; i < nodes.size() && options.pair_gate_up; ++i) {
    const Node& n = nodes[i];
    if (n.kind != OpKind::Elementwise || n.elementwise < kGated || f.folded[i]) continue;
    rbee_tensor gate = n.inputs[0], up = n.inputs[1];
    const Node &g = graph.node(gate), &u = graph.node(up);
    if (gate == up || g.kind != OpKind::Linear || u.kind != OpKind::Linear || !sole_input(gate) || !sole_input(up))
      continue;
    const Node &gw = graph.node(g.inputs[1]), &uw = graph.node(u.inputs[1]);
    rbee_tensor x = g.inputs[0];
    bool normed = f.folded[x - 1];
    if (u.inputs[0] != x || g.inputs[2] != RBEE_TENSOR_NONE || u.inputs[2] != RBEE_TENSOR_NONE ||
        gw.weight->dtype != uw.weight->dtype || gw.rows != uw.rows || gw.cols != uw.cols ||
        !options.pair_gate_up(gw, normed) || !options.pair_gate_up(uw, normed))
      continue;
    f.folded[gate - 1] = f.folded[up - 1] = true;
    f.gate_up_of[i] = {gate, up};
    f.reads[i] = f.reads[gate - 1];  // x (or a folded norm's input and weight) and G
    f.reads[i].push_back(u.inputs[1]);
    f.reads[gate - 1].clear();
    f.reads[up - 1].clear();
  }
  for (size_t i = 0; i < nodes.size(); ++i) {
    const Node& n = nodes[i];
    if (n.kind != OpKind::Linear) continue;
    rbee_tensor x = n.inputs[0];
    const Node& in = graph.node(x);
    bool gated = in.kind == OpKind::Elementwise && in.elementwise >= kGated;
    if (!options.inputs || !gated || !sole_input(x) || f.gate_up_of[x - 1].first != RBEE_TENSOR_NONE) continue;
    f.folded[x - 1] = true;
    f.reads[x - 1].clear();
    // The linear reads gate and up in place of the unit's output.
    f.reads[i] = {in.inputs[0], in.inputs[1], n.inputs[1], n.inputs[2]};
  }
  for (size_t i = 0; i < nodes.size(); ++i) {
    const Node& n = nodes[i];
    if (n.kind != OpKind::Elementwise || n.elementwise != kAdd) continue;
    for (int side = 0; side < 2; ++side) {
      rbee_tensor lin = n.inputs[side], other = n.inputs[1 - side];
      const Node& l = graph.node(lin);
      const Node& o = graph.node(other);
      if (l.kind != OpKind::Linear || !sole_input(lin) || o.kind == OpKind::Weight || o.rows != n.rows ||
          o.cols != n.cols)
        continue;
      f.folded[lin - 1] = true;
      f.residual_of[i] = lin;
      f.reads[i] = f.reads[lin - 1];
      f.reads[i].push_back(other);
      f.reads[lin - 1].clear();
      break;
    }
  }
  for (size_t i = 0; i < nodes.size(); ++i) {
    const Node& n = nodes[i];
    if (n.kind != OpKind::Attention) continue;
    auto fold_rope = [&](rbee_tensor x, std::vector<rbee_tensor>& into) {
      const Node& rope = graph.node(x);
      if (rope.kind != OpKind::Rope || !sole_input(x)) return;
      f.folded[x - 1] = true;
      into[i] = x;
      std::erase(f.reads[i], x);  // the attention reads the unrotated input and the factors
      f.reads[i].push_back(rope.inputs[0]);
      f.reads[i].push_back(rope.inputs[1]);
      f.reads[x - 1].clear();
    };
    fold_rope(n.inputs[1], f.key_rope_of);
    if (n.inputs[0] != n.inputs[1]) fold_rope(n.inputs[0], f.query_rope_of);
  }
  return f;
}

}  // namespace rbee
