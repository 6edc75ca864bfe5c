#include "graph/executor.hpp"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <stdexcept>

#include "graph/arena_plan.hpp"
#include "graph/dispatch.hpp"
#include "vulkan/error.hpp"

namespace rbee {

using namespace dispatch;

CompiledGraph::CompiledGraph(const vk::Device& device, vk::PipelineSet& pipelines, DeviceWeights& weights,
                             KvCache& cache, const Graph& graph, const CompileOptions& options)
    : device_(device),
      pipelines_(pipelines),
      weights_(weights),
      cache_(cache),
      graph_(&graph),
      config_(options.kernels ? *options.kernels : KernelConfig::for_device(device.info())),
      n_tokens_(graph.n_tokens()),
      all_logits_(graph.all_logits()),
      profile_(options.profile),
      top_k_(options.top_k),
      positions_(options.positions ? std::min(options.positions, cache.capacity()) : cache.capacity()) {
  if (graph.output() == RBEE_TENSOR_NONE) throw std::runtime_error("the graph has no output (set_output was not called)");
  if (n_tokens_ == 0 || n_tokens_ > kMaxGroups)
    throw std::runtime_error("a batch must have 1.." + std::to_string(kMaxGroups) + " tokens");
  const Node& out = graph.node(graph.output());
  out_rows_ = out.rows;
  out_cols_ = out.cols;
  if (top_k_ > kMaxTopK) throw std::runtime_error("device top-k needs k <= " + std::to_string(kMaxTopK));

  uint64_t align = std::max<uint64_t>({device.limits().minStorageBufferOffsetAlignment,
                                       device.limits().minTexelBufferOffsetAlignment, 16});
  FusionOptions fusing{.enabled = config_.subgroup_wg != 0, .inputs = config_.fold_inputs};
  // Gate/up pairs: matmul_rows reads both weights as texels (and folds no norm); the storage-
  // buffer kernels read a stacked copy of both, bound whole.
  fusing.pair_gate_up = [this](const Node& w, bool normed) {
    LinearKernel k = linear_kernel(w, normed);
    return k == LinearKernel::Rows ||
           (k == LinearKernel::Storage && DeviceWeights::stacked_size(w.weight->nbytes, 2) <= config_.max_binding_bytes);
  };
  fusions_ = find_fusions(graph, fusing);
  ArenaPlan plan = plan_arena(graph, fusions_, align);
  offsets_ = std::move(plan.offset);
  arena_ = std::make_unique<vk::Buffer>(device, plan.size, vk::MemoryKind::Device, "activations");
  ids_ = std::make_unique<vk::Buffer>(device, n_tokens_ * 4, vk::MemoryKind::Upload, "token ids");
  step_ = std::make_unique<vk::Buffer>(device, step_words(n_tokens_) * 4, vk::MemoryKind::Upload, "step values");
  uint64_t readback_bytes = uint64_t(out_rows_) * (top_k_ ? uint64_t(top_k_) * 8 : uint64_t(out_cols_) * 4);
  readback_ = std::make_unique<vk::Buffer>(device, readback_bytes, vk::MemoryKind::Readback, "logits");
  dummy_ = std::make_unique<vk::Buffer>(device, 16, vk::MemoryKind::Device, "unused binding");

  // At most two dispatches a node (and four more); a kernel binds at most 9 buffers (attention),
  // 4 of them as texel views.
  descriptors_ = std::make_unique<vk::DescriptorPool>(device, static_cast<uint32_t>(graph.nodes().size()) * 2 + 4, 9, 4);

  cmd_ = std::make_unique<vk::CommandBuffer>(device);
  record(graph);
  graph_ = nullptr;
}

CompiledGraph::~CompiledGraph() = default;

const vk::Buffer& CompiledGraph::weight_buffer(const Node& n, bool as_vector) {
  if (!n.expert_parts.empty()) return weights_.stacked(n.expert_parts);
  if (n.cut.rows_per_head) return weights_.head_cut(*n.weight, n.n_expert, n.cut);
  return as_vector ? weights_.as_f32(*n.weight) : weights_.stored(*n.weight);
}

CompiledGraph::Binding CompiledGraph::bind(rbee_tensor t, bool as_vector) {
  if (t == RBEE_TENSOR_NONE) return whole(*dummy_);
  const Node& n = graph_->node(t);
  switch (n.kind) {
    case OpKind::Tokens: return whole(*ids_);
    case OpKind::Weight: return whole(weight_buffer(n, as_vector));
    default: return {arena_->handle(), offsets_[t - 1], uint64_t(n.rows) * n.cols * 4};
  }
}

std::vector<CompiledGraph::RowSlice> CompiledGraph::row_slices(const Node& weight) {
  const uint64_t limit = config_.max_binding_bytes, row_bytes = weight_row_bytes(weight);
  if (weight_buffer(weight, false).size() <= limit) return {{0, weight.rows}};
  uint64_t align = std::max<uint64_t>(device_.limits().minStorageBufferOffsetAlignment, 4);
  uint64_t step = std::max(align / std::gcd(row_bytes, align), align / 4);  // rows between slice starts
  uint64_t per_slice = limit / 16 * 16 / row_bytes / step * step;           // ranges are rounded up to 16
  if (per_slice == 0)
    throw std::runtime_error(weight.weight->name + ": " + std::to_string(step) + " rows of " +
                             std::to_string(row_bytes) + " bytes are more than this device binds at once " +
                             "(maxStorageBufferRange " + std::to_string(limit) + " bytes)");
  std::vector<RowSlice> slices;
  for (uint64_t r = 0; r < weight.rows; r += per_slice)
    slices.push_back({static_cast<uint32_t>(r), static_cast<uint32_t>(std::min<uint64_t>(per_slice, weight.rows - r))});
  return slices;
}

CompiledGraph::Binding CompiledGraph::weight_rows(const Node& weight, RowSlice slice) {
  const vk::Buffer& buffer = weight_buffer(weight, false);
  if (slice.first == 0 && slice.count == weight.rows) return whole(buffer);
  uint64_t row_bytes = weight_row_bytes(weight), offset = slice.first * row_bytes;
  return {buffer.handle(), offset, std::min(buffer.size() - offset, (slice.count * row_bytes + 15) / 16 * 16)};
}

void CompiledGraph::dispatch(std::string_view name, std::vector<Binding> buffers, const void* push,
                             uint32_t push_bytes, std::vector<uint32_t> spec, uint32_t gx, uint32_t gy, uint32_t gz) {
  const std::string shader(name);
  uint32_t texel_bindings = 0;
  for (size_t i = 0; i < buffers.size(); ++i) {
    if (buffers[i].texel != VK_FORMAT_UNDEFINED)
      texel_bindings |= 1u << i;
    else if (buffers[i].range > config_.max_binding_bytes)
      throw std::runtime_error(shader + ": binding " + std::to_string(i) + " spans " + std::to_string(buffers[i].range) +
                               " bytes, more than this device binds at once (maxStorageBufferRange " +
                               std::to_string(config_.max_binding_bytes) + " bytes)");
  }
  const vk::Pipeline& p = pipelines_.get(shader, static_cast<uint32_t>(buffers.size()), texel_bindings, push_bytes, spec);
  VkDescriptorSet set = descriptors_->allocate(p.set_layout());
  std::vector<VkDescriptorBufferInfo> infos(buffers.size());
  std::vector<VkWriteDescriptorSet> writes(buffers.size());
  for (size_t i = 0; i < buffers.size(); ++i) {
    writes[i] = {VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET};
    writes[i].dstSet = set;
    writes[i].dstBinding = static_cast<uint32_t>(i);
    writes[i].descriptorCount = 1;
    if (buffers[i].texel != VK_FORMAT_UNDEFINED) {
      writes[i].descriptorType = VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER;
      writes[i].pTexelBufferView =
          descriptors_->view(buffers[i].buffer, buffers[i].texel, buffers[i].offset, buffers[i].range);
    } else {
      infos[i] = {buffers[i].buffer, buffers[i].offset, buffers[i].range};
      writes[i].descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER;
      writes[i].pBufferInfo = &infos[i];
    }
  }
  vkUpdateDescriptorSets(device_.handle(), static_cast<uint32_t>(writes.size()), writes.data(), 0, nullptr);

  std::vector<HazardTracker::Access> accesses;
  for (size_t i = 0; i < buffers.size(); ++i)
    accesses.push_back({buffers[i].buffer, buffers[i].offset, buffers[i].range,
                        buffers[i].texel == VK_FORMAT_UNDEFINED && (p.written_bindings() >> i & 1u)});
  order(accesses);
  VkCommandBuffer cmd = cmd_->handle();
  vkCmdBindPipeline(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, p.handle());
  vkCmdBindDescriptorSets(cmd, VK_PIPELINE_BIND_POINT_COMPUTE, p.layout(), 0, 1, &set, 0, nullptr);
  if (push_bytes) vkCmdPushConstants(cmd, p.layout(), VK_SHADER_STAGE_COMPUTE_BIT, 0, push_bytes, push);
  vkCmdDispatch(cmd, gx, gy, gz);
  if (timestamps_ && profile_) {
    labels_.push_back(shader);
    timestamps_->write(cmd, static_cast<uint32_t>(labels_.size()));
  }
}

void CompiledGraph::order(const std::vector<HazardTracker::Access>& accesses) {
  if (profile_ || hazards_.conflicts(accesses)) {
    cmd_->barrier();
    hazards_.barrier();
    ++barriers_;
  }
  hazards_.add(accesses);
}

void CompiledGraph::copy(VkBuffer src, uint64_t src_offset, VkBuffer dst, uint64_t dst_offset, uint64_t size) {
  order({{src, src_offset, size, false}, {dst, dst_offset, size, true}});
  cmd_->copy(src, src_offset, dst, dst_offset, size);
}

void CompiledGraph::record(const Graph& graph) {
  cmd_->begin(false);
  if (device_.info().timestamps) {
    // One slot per dispatch (at most two per node) when profiling, else start and end.
    uint32_t slots = profile_ ? static_cast<uint32_t>(graph.nodes().size()) * 2 + 2 : 2;
    timestamps_ = std::make_unique<vk::Timestamps>(device_, slots);
    timestamps_->reset(cmd_->handle());
    timestamps_->write(cmd_->handle(), 0);
  }
  const auto& nodes = graph.nodes();
  for (size_t i = 0; i < nodes.size(); ++i)
    if (!fusions_.folded[i]) record_node(graph, nodes[i], static_cast<rbee_tensor>(i + 1));  // else computed by its consumer
  if (top_k_) {
    record_top_k(graph);
  } else {
    Binding out = bind(graph.output(), false);
    copy(out.buffer, out.offset, readback_->handle(), 0, uint64_t(out_rows_) * out_cols_ * 4);
    cmd_->barrier();  // for the host
  }
  if (timestamps_) {
    if (profile_) labels_.push_back("readback");
    timestamps_->write(cmd_->handle(), static_cast<uint32_t>(profile_ ? labels_.size() : 1));
  }
  cmd_->end();
}

void CompiledGraph::record_node(const Graph& graph, const Node& n, rbee_tensor self) {
  switch (n.kind) {
    case OpKind::Tokens:
    case OpKind::Weight: break;  // bound by the ops that read them
    case OpKind::Embed: record_embed(graph, n, self); break;
    case OpKind::Norm: record_norm(n, self); break;
    case OpKind::Linear: record_linear(graph, n, self, RBEE_TENSOR_NONE); break;
    case OpKind::Rope: record_rope(n, self); break;
    case OpKind::Attention: record_attention(graph, n, self); break;
    case OpKind::Elementwise: record_elementwise(graph, n, self); break;
    case OpKind::Slice: record_slice(graph, n, self); break;
    case OpKind::Concat: record_concat(graph, n, self); break;
    case OpKind::MoeRoute: record_moe_route(n, self); break;
    case OpKind::MoeLinear: record_moe_linear(graph, n, self); break;
    case OpKind::MoeCombine: record_moe_combine(graph, n, self); break;
    case OpKind::OutputRows: record_output_rows(n, self); break;
  }
}

void CompiledGraph::run(std::span<const int32_t> ids, std::span<const BatchSegment> segments,
                        std::span<float> logits) {
  if (top_k_) throw std::logic_error("run: this graph returns its top-k (run_top)");
  const std::vector<uint32_t> rows = submit(ids, segments);
  if (logits.size() < rows.size() * out_cols_) throw std::invalid_argument("run: logits buffer too small");
  const auto* out = static_cast<const float*>(readback_->mapped());
  for (size_t i = 0; i < rows.size(); ++i)
    std::memcpy(logits.data() + i * out_cols_, out + uint64_t(rows[i]) * out_cols_, uint64_t(out_cols_) * 4);
}

std::vector<std::vector<TopLogit>> CompiledGraph::run_top(std::span<const int32_t> ids,
                                                          std::span<const BatchSegment> segments) {
  if (!top_k_) throw std::logic_error("run_top: this graph was compiled without top_k");
  const std::vector<uint32_t> rows = submit(ids, segments);
  std::vector<std::vector<TopLogit>> out;
  const auto* pairs = static_cast<const float*>(readback_->mapped());
  for (uint32_t row : rows) {
    std::vector<TopLogit>& top = out.emplace_back();
    for (uint32_t i = 0; i < top_k_; ++i) {
      const float* pair = pairs + 2 * (uint64_t(row) * top_k_ + i);
      uint32_t id;
      std::memcpy(&id, pair + 1, 4);
      if (id == UINT32_MAX) break;  // the row had fewer than k entries
      top.push_back({static_cast<int32_t>(id), pair[0]});
    }
  }
  return out;
}

void CompiledGraph::run(std::span<const int32_t> ids, uint32_t n_past, std::span<float> logits) {
  const BatchSegment one{.slot = 0, .position = n_past, .count = static_cast<uint32_t>(ids.size())};
  run(ids, std::span(&one, 1), logits);
}

std::vector<TopLogit> CompiledGraph::run_top(std::span<const int32_t> ids, uint32_t n_past) {
  const BatchSegment one{.slot = 0, .position = n_past, .count = static_cast<uint32_t>(ids.size())};
  return std::move(run_top(ids, std::span(&one, 1)).front());
}

std::vector<uint32_t> CompiledGraph::submit(std::span<const int32_t> ids, std::span<const BatchSegment> segments) {
  if (ids.size() != n_tokens_) throw std::invalid_argument("run: expected " + std::to_string(n_tokens_) + " token ids");
  auto* words = static_cast<uint32_t*>(step_->mapped());
  uint32_t* tokens = words + 4;
  uint32_t* runs = tokens + 2 * uint64_t(n_tokens_);
  uint32_t* output_rows = runs + 2 * uint64_t(n_tokens_);
  std::vector<uint32_t> rows;  // of the readback, per output
  uint32_t t = 0;
  for (size_t i = 0; i < segments.size(); ++i) {
    const BatchSegment& s = segments[i];
    if (s.count == 0 || s.count > n_tokens_ - t)
      throw std::invalid_argument("run: the segments do not split the batch's " + std::to_string(n_tokens_) + " tokens");
    if (s.slot >= cache_.sequences())
      throw std::invalid_argument("run: cache slot " + std::to_string(s.slot) + " of " + std::to_string(cache_.sequences()));
    if (uint64_t(s.position) + s.count > cache_.capacity())
      throw std::runtime_error("context full: " + std::to_string(s.position) + " + " + std::to_string(s.count) +
                               " tokens exceed the KV cache of " + std::to_string(cache_.capacity()));
    if (s.count > cache_.max_batch() && cache_.has_ring_layers())
      throw std::invalid_argument("run: " + std::to_string(s.count) + " tokens of one sequence in a step, more than the " +
                                  std::to_string(cache_.max_batch()) + " the sliding-window KV cache was sized for");
    for (uint32_t j = 0; j < s.count; ++j) {
      tokens[2 * (t + j)] = s.position + j;
      tokens[2 * (t + j) + 1] = s.slot;
    }
    runs[2 * i] = t;
    runs[2 * i + 1] = s.count;
    t += s.count;
    if (!all_logits_ && s.output) {
      if (gathered_) {
        if (rows.size() == out_rows_)
          throw std::invalid_argument("run: more outputs than the " + std::to_string(out_rows_) + " the graph has");
        output_rows[rows.size()] = t - 1;
        rows.push_back(static_cast<uint32_t>(rows.size()));
      } else {
        rows.push_back(t - 1);
      }
    }
  }
  if (t != n_tokens_) throw std::invalid_argument("run: the segments do not cover the batch's " + std::to_string(n_tokens_) + " tokens");
  if (all_logits_)
    for (uint32_t r = 0; r < n_tokens_; ++r) rows.push_back(r);
  for (size_t r = gathered_ ? rows.size() : out_rows_; r < out_rows_; ++r) output_rows[r] = 0;  // unused rows
  const StepHeader header{n_tokens_, static_cast<uint32_t>(segments.size()), out_rows_, 0};
  std::memcpy(words, &header, sizeof header);
  std::memcpy(ids_->mapped(), ids.data(), ids.size_bytes());
  cmd_->submit_and_wait();
  if (timestamps_) {
    std::vector<double> ns = timestamps_->read_ns(profile_ ? static_cast<uint32_t>(labels_.size()) + 1 : 2);
    last_device_seconds_ = 0;
    last_profile_.clear();
    for (size_t i = 0; i < ns.size(); ++i) {
      last_device_seconds_ += ns[i] * 1e-9;
      if (profile_) last_profile_.emplace_back(labels_[i], ns[i] * 1e-9);
    }
  }
  return rows;
}

}  // namespace rbee
