#include "graph/arena_plan.hpp"

#include <algorithm>
#include <map>

namespace rbee {
namespace {

// First-fit allocator over [0, size) with coalescing of freed neighbours.
class FreeList {
 public:
  uint64_t allocate(uint64_t bytes) {
    for (auto it = free_.begin(); it != free_.end(); ++it) {
      if (it->second < bytes) continue;
      uint64_t at = it->first, left = it->second - bytes;
      free_.erase(it);
      if (left) free_[at + bytes] = left;
      return at;
    }
    uint64_t at = top_;
    // Grow into a free block that ends at the top.
    if (!free_.empty()) {
      auto last = std::prev(free_.end());
      if (last->first + last->second == top_) {
        at = last->first;
        free_.erase(last);
      }
    }
    top_ = at + bytes;
    return at;
  }

  void release(uint64_t at, uint64_t bytes) {
    auto [it, _] = free_.emplace(at, bytes);
    if (auto next = std::next(it); next != free_.end() && it->first + it->second == next->first) {
      it->second += next->second;
      free_.erase(next);
    }
    if (it != free_.begin()) {
      auto prev = std::prev(it);
      if (prev->first + prev->second == it->first) {
        prev->second += it->second;
        free_.erase(it);
      }
    }
  }

  uint64_t top() const { return top_; }

 private:
  std::map<uint64_t, uint64_t> free_;
  uint64_t top_ = 0;
};

bool in_arena(const Node& n) { return n.kind != OpKind::Weight && n.kind != OpKind::Tokens; }

}  // namespace

ArenaPlan plan_arena(const Graph& graph, const Fusions& fusions, uint64_t alignment) {
  const auto& nodes = graph.nodes();
  std::vector<size_t> last_use(nodes.size(), 0);
  for (size_t i = 0; i < nodes.size(); ++i)
    for (rbee_tensor in : fusions.reads[i])
      if (in != RBEE_TENSOR_NONE) last_use[in - 1] = std::max(last_use[in - 1], i);
  if (graph.output() != RBEE_TENSOR_NONE) last_use[graph.output() - 1] = nodes.size();

  auto bytes = [&](const Node& n) { return (uint64_t(n.rows) * n.cols * 4 + alignment - 1) / alignment * alignment; };
  ArenaPlan plan;
  plan.offset.assign(nodes.size(), 0);
  FreeList arena;
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (!in_arena(nodes[i]) || fusions.folded[i]) continue;
    plan.offset[i] = arena.allocate(bytes(nodes[i]));
    for (rbee_tensor in : fusions.reads[i]) {
      if (in == RBEE_TENSOR_NONE || !in_arena(nodes[in - 1]) || last_use[in - 1] != i) continue;
      last_use[in - 1] = SIZE_MAX;  // released once even when an op reads it twice
      arena.release(plan.offset[in - 1], bytes(nodes[in - 1]));
    }
    // An activation nobody reads is released at once (it still gets written).
    if (last_use[i] == 0 && graph.output() != static_cast<rbee_tensor>(i + 1))
      arena.release(plan.offset[i], bytes(nodes[i]));
  }
  plan.size = arena.top();
  return plan;
}

}  // namespace rbee
