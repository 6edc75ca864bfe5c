#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "graph/device_weights.hpp"
#include "graph/fusion.hpp"
#include "graph/graph.hpp"
#include "graph/hazards.hpp"
#include "graph/kv_cache.hpp"
#include "vulkan/buffer.hpp"
#include "vulkan/commands.hpp"
#include "vulkan/descriptors.hpp"
#include "vulkan/kernel_config.hpp"
#include "vulkan/kernels.hpp"
#include "vulkan/pipeline.hpp"

namespace rbee {

// A graph compiled for one batch shape: buffers planned, descriptor sets written and the whole
// pass recorded in one command buffer, replayed by run() with new token ids and positions.
struct CompileOptions {
  // > 0: the pass ends by selecting the top_k best logits of each output row on the device,
  // and run_top() returns only those (at most kMaxTopK).
  uint32_t top_k = 0;
  // A timestamp after every dispatch, so last_profile() splits the device time by kernel.
  bool profile = false;
  // Workgroup choices other than KernelConfig::for_device (tests of fallback paths).
  const KernelConfig* kernels = nullptr;
  // The most positions a row of the runs sees (0: the KV cache's capacity). Split-K sizes its
  // splits by it, so that a short context in a large cache is not cut into empty splits; a run
  // past it is still right, only split less than it could be.
  uint32_t positions = 0;
};

// A run of consecutive tokens of one sequence in a batch: they are appended at positions
// [position, position + count) of the sequence in KV cache slot `slot`; output: the last one's
// logits are returned (graphs compiled without all logits).
struct BatchSegment {
  uint32_t slot = 0, position = 0, count = 0;
  bool output = true;
};

// One entry of a device top-k: best first, equal logits lower id first.
struct TopLogit {
  int32_t id;
  float logit;
};

class CompiledGraph {
 public:
  static constexpr uint32_t kMaxTopK = 64;

  CompiledGraph(const vk::Device& device, vk::PipelineSet& pipelines, DeviceWeights& weights, KvCache& cache,
                const Graph& graph, const CompileOptions& options = {});
  ~CompiledGraph();
  CompiledGraph(const CompiledGraph&) = delete;
  CompiledGraph& operator=(const CompiledGraph&) = delete;

  uint32_t n_tokens() const { return n_tokens_; }
  uint32_t output_rows() const { return out_rows_; }
  uint32_t output_cols() const { return out_cols_; }

  // One submission of ids.size() == n_tokens() tokens, split into segments (in order, covering
  // every token; at most output_rows() of them with output). Writes into logits, output_cols()
  // floats a row, every token's row where the graph was built with all logits, else the last
  // row of each segment with output, in order.
  void run(std::span<const int32_t> ids, std::span<const BatchSegment> segments, std::span<float> logits);
  // Same for a graph compiled with top_k: the top_k best logits of each row (fewer when the
  // vocabulary is smaller).
  std::vector<std::vector<TopLogit>> run_top(std::span<const int32_t> ids, std::span<const BatchSegment> segments);
  // One sequence in cache slot 0, appended after n_past cached positions.
  void run(std::span<const int32_t> ids, uint32_t n_past, std::span<float> logits);
  std::vector<TopLogit> run_top(std::span<const int32_t> ids, uint32_t n_past);
  // Device time of the last run() from timestamps, or 0 where the queue has none.
  double last_device_seconds() const { return last_device_seconds_; }
  // With profiling: (kernel name, seconds) of every dispatch of the last run().
  const std::vector<std::pair<std::string, double>>& last_profile() const { return last_profile_; }
  // Pipeline barriers between the recorded dispatches and copies: one only where a later one
  // reads or writes what an earlier one wrote, or writes what it read (every one with
  // profiling).
  uint32_t barriers() const { return barriers_; }

 private:
  struct Binding {
    VkBuffer buffer;
    uint64_t offset;
    uint64_t range;
    VkFormat texel = VK_FORMAT_UNDEFINED;  // set: bound as a uniform texel buffer of this format
  };
  static Binding whole(const vk::Buffer& buffer) { return {buffer.handle(), 0, buffer.size()}; }
  Binding bind(rbee_tensor t, bool as_vector);
  // Rows [first, first + count) of a weight.
  struct RowSlice {
    uint32_t first, count;
  };
  // All rows at once where the weight's buffer fits one storage binding; else slices that do,
  // each starting at an offset where both its rows and a float per row may be bound.
  std::vector<RowSlice> row_slices(const Node& weight);
  Binding weight_rows(const Node& weight, RowSlice slice);
  // The device buffer of a weight node: as stored, stacked experts, per-head cuts, or float32.
  const vk::Buffer& weight_buffer(const Node& n, bool as_vector);
  // name: a variant the tables name (vulkan/weight_kernels.hpp, vulkan/kernels.hpp), or a kernel
  // that exists once by its enumerator; spec: specialization constants, the workgroup size first.
  void dispatch(std::string_view name, std::vector<Binding> buffers, const void* push, uint32_t push_bytes,
                std::vector<uint32_t> spec, uint32_t gx, uint32_t gy, uint32_t gz);
  void dispatch(vk::Kernel kernel, std::vector<Binding> buffers, const void* push, uint32_t push_bytes,
                std::vector<uint32_t> spec, uint32_t gx, uint32_t gy, uint32_t gz) {
    dispatch(vk::kernel_name(kernel), std::move(buffers), push, push_bytes, std::move(spec), gx, gy, gz);
  }
  void record(const Graph& graph);
  // The dispatches of one node, by its kind: the record_* files, one per kind of op.
  void record_node(const Graph& graph, const Node& n, rbee_tensor self);
  // A barrier first where work with these accesses must wait for earlier work (hazards_).
  void order(const std::vector<HazardTracker::Access>& accesses);
  void copy(VkBuffer src, uint64_t src_offset, VkBuffer dst, uint64_t dst_offset, uint64_t size);
  void record_top_k(const Graph& graph);
  // A rope node's frequency table, kept for the life of the graph.
  Binding rope_table(const Node& rope);
  void record_embed(const Graph& graph, const Node& n, rbee_tensor self);
  void record_norm(const Node& n, rbee_tensor self);
  void record_rope(const Node& n, rbee_tensor self);
  void record_attention(const Graph& graph, const Node& n, rbee_tensor self);
  void record_elementwise(const Graph& graph, const Node& n, rbee_tensor self);
  void record_slice(const Graph& graph, const Node& n, rbee_tensor self);
  void record_concat(const Graph& graph, const Node& n, rbee_tensor self);
  void record_output_rows(const Node& n, rbee_tensor self);
  void record_linear(const Graph& graph, const Node& n, rbee_tensor out, rbee_tensor residual);
  // The kernel family of a linear (on the subgroup path) with these weights; moe_linear asks
  // as for a folded input (it has no rows variant).
  enum class LinearKernel { Storage, Texel, Rows };
  LinearKernel linear_kernel(const Node& weight, bool folded_input);
  // The input a linear of x binds: x, or where x is a folded RMS norm, the norm's input, its
  // weight (binding 7) and the NORM_INPUT mode of shaders/matmul_subgroup.glsl.
  struct FoldedNorm {
    Binding x, weight;
    uint32_t mode;
    float eps, offset;
  };
  FoldedNorm folded_norm(const Graph& graph, rbee_tensor x);
  // A gated unit with its gate and up linears folded in (Fusions::gate_up_of).
  void record_gate_up(const Graph& graph, const Node& unit, std::pair<rbee_tensor, rbee_tensor> linears,
                      rbee_tensor self);
  void record_moe_route(const Node& n, rbee_tensor self);
  void record_moe_linear(const Graph& graph, const Node& n, rbee_tensor self);
  void record_moe_combine(const Graph& graph, const Node& n, rbee_tensor self);
  // Checks the segments, writes the step buffer and runs the pass; returns the rows of the
  // output that the segments' outputs are (all of them with all logits).
  std::vector<uint32_t> submit(std::span<const int32_t> ids, std::span<const BatchSegment> segments);

  const vk::Device& device_;
  vk::PipelineSet& pipelines_;
  DeviceWeights& weights_;
  KvCache& cache_;
  const Graph* graph_ = nullptr;  // only during construction
  KernelConfig config_;
  uint32_t n_tokens_;
  uint32_t out_rows_ = 0, out_cols_ = 0;
  bool all_logits_;
  bool gathered_ = false;  // the output is output_rows' gather (else one row per token)
  Fusions fusions_;
  std::vector<uint64_t> offsets_;
  std::unique_ptr<vk::Buffer> arena_, ids_, step_, readback_, dummy_;
  std::vector<std::unique_ptr<vk::Buffer>> constants_;  // rope tables
  std::vector<std::unique_ptr<vk::Buffer>> scratch_;    // split-K attention partials (record_attention)
  std::unique_ptr<vk::DescriptorPool> descriptors_;
  std::unique_ptr<vk::CommandBuffer> cmd_;  // after descriptors_: destroyed before the sets it uses
  std::unique_ptr<vk::Timestamps> timestamps_;
  HazardTracker hazards_;
  uint32_t barriers_ = 0;
  bool profile_;
  uint32_t top_k_;
  uint32_t positions_;  // CompileOptions::positions, at most the cache's capacity
  std::unique_ptr<vk::Buffer> candidates_, best_;  // device top-k stages
  std::vector<std::string> labels_;  // per timestamp after the first, when profiling
  double last_device_seconds_ = 0;
  std::vector<std::pair<std::string, double>> last_profile_;
};

}  // namespace rbee
