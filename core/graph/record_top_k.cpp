// The executor's recorder of the device top-k that ends a pass compiled with top_k.
#include "graph/dispatch.hpp"
#include "graph/executor.hpp"

namespace rbee {

using namespace dispatch;

// Two passes: every workgroup keeps the k best of its slice of a row, then one workgroup a row
// keeps the k best of those; only k (logit, id) pairs a row travel back.
void CompiledGraph::record_top_k(const Graph& graph) {
  constexpr uint32_t kSlice = 1024;  // MAX_SLICE in shaders/topk.comp
  uint32_t slices = div_up(out_cols_, kSlice);
  const uint64_t best_bytes = uint64_t(out_rows_) * top_k_ * 8;
  candidates_ = std::make_unique<vk::Buffer>(device_, best_bytes * slices, vk::MemoryKind::Device, "top-k candidates");
  best_ = std::make_unique<vk::Buffer>(device_, best_bytes, vk::MemoryKind::Device, "top-k");
  Binding cand = whole(*candidates_), best = whole(*best_);
  uint32_t wg = config_.reduce_wg;
  struct TopKPush { uint32_t n, k, slice; };
  TopKPush slice_pc{out_cols_, top_k_, kSlice};
  dispatch(Kernel::TopkSlices, {bind(graph.output(), false), cand}, &slice_pc, sizeof slice_pc, {wg}, slices, out_rows_, 1);
  TopKPush merge_pc{slices * top_k_, top_k_, 0};
  dispatch(Kernel::TopkMerge, {cand, best}, &merge_pc, sizeof merge_pc, {wg}, 1, out_rows_, 1);
  copy(best_->handle(), 0, readback_->handle(), 0, best_bytes);
  cmd_->barrier();  // for the host
}

}  // namespace rbee
