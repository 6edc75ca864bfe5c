// The executor's recorder of rotary position embeddings not folded into attention, and the
// frequency tables every rope kernel reads.
#include <algorithm>
#include <cstring>

#include "graph/dispatch.hpp"
#include "graph/executor.hpp"
#include "graph/rope_table.hpp"

namespace rbee {

using namespace dispatch;

// Inputs: x, the frequency factors (may be none).
void CompiledGraph::record_rope(const Node& n, rbee_tensor self) {
  RopePush pc = rope_push(n);
  uint32_t wg = config_.elementwise_wg;
  dispatch(Kernel::Rope,
           {bind(n.inputs[0], false), rope_table(n), whole(*step_), bind(self, false), bind(n.inputs[1], true)},
           &pc, sizeof pc, {wg}, std::min(div_up(uint64_t(n.rope.n_heads) * n.rope.head_dim / 2, wg), kMaxGroups),
           n.rows, 1);
}

// The angle per position of each rotated pair, scaling and by-value factors folded in.
CompiledGraph::Binding CompiledGraph::rope_table(const Node& rope) {
  std::vector<float> freq = rope_frequencies(rope.rope);
  for (size_t j = 0; j < rope.rope_factors.size(); ++j) freq[j] /= rope.rope_factors[j];
  auto table = std::make_unique<vk::Buffer>(device_, freq.size() * 4, vk::MemoryKind::Upload, "rope table");
  std::memcpy(table->mapped(), freq.data(), freq.size() * 4);
  Binding b = whole(*table);
  constants_.push_back(std::move(table));
  return b;
}

}  // namespace rbee
