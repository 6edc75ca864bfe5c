#include "graph/executor.hpp"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <stdexcept>

#include "graph/arena_plan.hpp"
#include "graph/dispatch.hpp"
#include "graph/rope_table.hpp"
#include "vulkan/error.hpp"

namespace rbee {

using namespace dispatch;

KernelConfig KernelConfig::for_device(const vk::DeviceInfo& info) {
  // A CPU implementation runs a workgroup as one thread looping over its lanes: small groups
  // spread work over cores; GPUs want wide groups to hide latency.
  // One subgroup per matmul workgroup: the reduction needs no barrier.
  uint32_t subgroup_wg = info.subgroup_arithmetic ? std::clamp<uint32_t>(info.subgroup_size, 4, 128) : 0;
  if (info.type == "cpu")
    return {.reduce_wg = 64, .attention_wg = 32, .elementwise_wg = 64, .subgroup_wg = subgroup_wg, .subgroup_rows = 8,
            .texel_inputs = true, .fold_inputs = false, .row_kernels = subgroup_wg && info.subgroup_shuffle,
            .max_binding_bytes = info.max_storage_buffer_range};
  return {.reduce_wg = 256, .attention_wg = 128, .elementwise_wg = 256, .subgroup_wg = subgroup_wg, .subgroup_rows = 2,
          .texel_inputs = false, .fold_inputs = true, .row_kernels = false,
          .max_binding_bytes = info.max_storage_buffer_range};
}

CompiledGraph::CompiledGraph(const vk::Device& device, vk::PipelineSet& pipelines, DeviceWeights& weights,
                             KvCache& cache, const Graph& graph, const CompileOptions& options)
    : device_(device),
      pipelines_(pipelines),
      weights_(weights),
      cache_(cache),
      graph_(&graph),
      config_(options.kernels ? *options.kernels : KernelConfig::for_device(device.info())),
      n_tokens_(graph.n_tokens()),
      profile_(options.profile),
      top_k_(options.top_k) {
  if (graph.output() == RBEE_TENSOR_NONE) throw std::runtime_error("the graph has no output (set_output was not called)");
  if (n_tokens_ == 0 || n_tokens_ > kMaxGroups)
    throw std::runtime_error("a batch must have 1.." + std::to_string(kMaxGroups) + " tokens");
  const Node& out = graph.node(graph.output());
  out_rows_ = out.rows;
  out_cols_ = out.cols;
  if (top_k_ > kMaxTopK || (top_k_ && out_rows_ != 1))
    throw std::runtime_error("device top-k needs one output row and k <= " + std::to_string(kMaxTopK));

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
  step_ = std::make_unique<vk::Buffer>(device, sizeof(StepValues), vk::MemoryKind::Upload, "step values");
  uint64_t readback_bytes = top_k_ ? uint64_t(top_k_) * 8 : uint64_t(out_rows_) * out_cols_ * 4;
  readback_ = std::make_unique<vk::Buffer>(device, readback_bytes, vk::MemoryKind::Readback, "logits");
  dummy_ = std::make_unique<vk::Buffer>(device, 16, vk::MemoryKind::Device, "unused binding");

  // At most two dispatches a node (and four more); a kernel binds at most 8 buffers, 4 of them
  // as texel views.
  descriptors_ = std::make_unique<vk::DescriptorPool>(device, static_cast<uint32_t>(graph.nodes().size()) * 2 + 4, 8, 4);

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

void CompiledGraph::dispatch(const std::string& shader, std::vector<Binding> buffers, const void* push,
                             uint32_t push_bytes, std::vector<uint32_t> spec, uint32_t gx, uint32_t gy, uint32_t gz) {
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
  for (size_t i = 0; i < nodes.size(); ++i) {
    const Node& n = nodes[i];
    const rbee_tensor self = static_cast<rbee_tensor>(i + 1);
    const auto& in = n.inputs;
    if (fusions_.folded[i]) continue;  // computed by its consumer
    switch (n.kind) {
      case OpKind::Tokens:
      case OpKind::Weight: break;
      case OpKind::Embed: {
        const Node& table = graph.node(in[0]);
        uint32_t wg = config_.elementwise_wg;
        for (RowSlice slice : row_slices(table)) {
          EmbedPush pc{n.cols, table.rows, slice.first, slice.count};
          dispatch("embed_" + weight_suffix(table.weight->dtype),
                   {weight_rows(table, slice), bind(in[1], false), bind(self, false)}, &pc, sizeof pc, {wg},
                   std::min(div_up(n.cols, wg), kMaxGroups), n.rows, 1);
        }
        break;
      }
      case OpKind::Norm: {
        // Runs of group_size columns: whole rows, or heads for per-head norms.
        uint32_t runs = n.rows * (n.cols / n.norm.group_size);
        NormPush pc{runs, n.norm.group_size, n.norm.eps, n.norm.weight_offset, n.norm.kind == RBEE_NORM_LAYER,
                    in[1] != RBEE_TENSOR_NONE, in[2] != RBEE_TENSOR_NONE};
        uint32_t gx = std::min(runs, kMaxGroups);
        dispatch("norm", {bind(in[0], false), bind(in[1], true), bind(in[2], true), bind(self, false)}, &pc, sizeof pc,
                 {config_.reduce_wg}, gx, div_up(runs, gx), 1);
        break;
      }
      case OpKind::Linear: record_linear(graph, n, self, RBEE_TENSOR_NONE); break;
      case OpKind::Rope: {
        RopePush pc = rope_push(n);
        uint32_t wg = config_.elementwise_wg;
        dispatch("rope", {bind(in[0], false), rope_table(n), whole(*step_), bind(self, false),
                          bind(in[1], true)}, &pc,
                 sizeof pc, {wg}, std::min(div_up(uint64_t(n.rope.n_heads) * n.rope.head_dim / 2, wg), kMaxGroups), n.rows, 1);
        break;
      }
      case OpKind::Attention: {
        const rbee_attention_params& a = n.attention;
        if (a.layer >= cache_.n_layers())
          throw std::runtime_error("attention uses KV cache " + std::to_string(a.layer) + " but the model declares " +
                                   std::to_string(cache_.n_layers()));
        const rbee_kv_layout& kv = cache_.layout(a.layer);
        if (kv.n_kv_heads != a.n_kv_heads || kv.head_dim_k != a.head_dim_k || kv.head_dim_v != a.head_dim_v ||
            kv.sliding_window != a.window || kv.values_in_keys != a.values_in_keys)
          throw std::runtime_error("attention of layer " + std::to_string(a.layer) + " does not match its KV layout");
        uint32_t rows = cache_.rows(a.layer);
        if (a.window && n.rows > cache_.max_batch())
          throw std::runtime_error("a batch of " + std::to_string(n.rows) + " tokens exceeds the " +
                                   std::to_string(cache_.max_batch()) + " the sliding-window KV cache was sized for");
        std::string kv_suffix = cache_.type() == KvType::F16 ? "f16" : "f32";
        Binding kc = whole(cache_.keys(a.layer));
        Binding vc = whole(cache_.values(a.layer));
        Binding step = whole(*step_);
        // Values in the keys: only the keys are stored, and attention reads values from them.
        bool vk = a.values_in_keys != 0;
        Binding none = whole(*dummy_);
        KvStorePush sp{a.n_kv_heads * a.head_dim_k, vk ? 0 : a.n_kv_heads * a.head_dim_v, rows};
        uint32_t wg = config_.elementwise_wg;
        std::vector<Binding> store{bind(in[1], false), vk ? none : bind(in[2], false), kc, vk ? none : vc, step};
        if (rbee_tensor rope = fusions_.key_rope_of[i]) {  // the keys are rotated as they are stored
          const Node& r = graph.node(rope);
          store[0] = bind(r.inputs[0], false);
          store.push_back(rope_table(r));
          store.push_back(bind(r.inputs[1], true));
          KvStoreRopePush rp{sp, rope_push(r)};
          dispatch("kv_store_rope_" + kv_suffix, store, &rp, sizeof rp, {wg},
                   std::min(div_up((sp.k_dim + sp.v_dim) / 2, wg), kMaxGroups), n.rows, 1);
        } else {
          dispatch("kv_store_" + kv_suffix, store, &sp, sizeof sp, {wg},
                   std::min(div_up((sp.k_dim + sp.v_dim) / 2, wg), kMaxGroups), n.rows, 1);
        }
        AttentionPush ap{a.n_heads, a.n_kv_heads, a.head_dim_k, a.head_dim_v, a.scale, a.softcap, a.window, rows,
                         vk ? sp.k_dim : a.n_kv_heads * a.head_dim_v, vk ? a.head_dim_k : a.head_dim_v};
        bool wide = a.head_dim_k > 256 || a.head_dim_v > 256;
        std::vector<Binding> attend{bind(in[0], false), kc, vc, step, bind(self, false)};
        AttentionRopePush arp{ap, {}};
        if (rbee_tensor rope = fusions_.query_rope_of[i]) {  // the queries are rotated as they load
          const Node& r = graph.node(rope);
          attend[0] = bind(r.inputs[0], false);
          attend.push_back(rope_table(r));
          attend.push_back(bind(r.inputs[1], true));
          arp.rope = rope_push(r);
        }
        bool q_rope = fusions_.query_rope_of[i] != RBEE_TENSOR_NONE;
        // The texel variant reads 4-element texels: head sizes, strides and offsets must be
        // multiples of 4, and each cache buffer within the texel limit.
        uint64_t texel_bytes = cache_.type() == KvType::F16 ? 8 : 16, max_texels = device_.limits().maxTexelBufferElements;
        bool texel = config_.texel_inputs && a.head_dim_k % 4 == 0 && a.head_dim_v % 4 == 0 && ap.v_stride % 4 == 0 &&
                     ap.v_head % 4 == 0 && cache_.keys(a.layer).size() / texel_bytes <= max_texels &&
                     cache_.values(a.layer).size() / texel_bytes <= max_texels;
        if (texel) {
          VkFormat f = cache_.type() == KvType::F16 ? VK_FORMAT_R16G16B16A16_SFLOAT : VK_FORMAT_R32G32B32A32_SFLOAT;
          attend[1].texel = attend[2].texel = f;
        }
        dispatch(std::string("attention_") + (q_rope ? "rope_" : "") + (wide ? "wide_" : "") + (texel ? "texel_" : "") +
                     kv_suffix,
                 attend,
                 &arp, q_rope ? sizeof arp : sizeof ap,
                 {config_.attention_wg}, a.n_heads, n.rows, 1);
        break;
      }
      case OpKind::Elementwise: {
        if (rbee_tensor lin = fusions_.residual_of[i]) {  // residual + linear: the linear's kernel adds
          record_linear(graph, graph.node(lin), self, in[0] == lin ? in[1] : in[0]);
          break;
        }
        if (fusions_.gate_up_of[i].first != RBEE_TENSOR_NONE) {
          record_gate_up(graph, n, fusions_.gate_up_of[i], self);
          break;
        }
        uint64_t count = uint64_t(n.rows) * n.cols;
        uint32_t b_len = static_cast<uint32_t>(count);
        if (in[1] != RBEE_TENSOR_NONE) b_len = graph.node(in[1]).rows * graph.node(in[1]).cols;
        // b as one column [rows, 1] broadcast over a's columns.
        bool column = in[1] != RBEE_TENSOR_NONE && graph.node(in[1]).cols == 1 && n.cols != 1;
        ElementwisePush pc{static_cast<uint32_t>(count), n.elementwise, b_len, n.factor, column ? n.cols : 0};
        uint32_t wg = config_.elementwise_wg;
        dispatch("elementwise", {bind(in[0], false), bind(in[1], true), bind(self, false)}, &pc, sizeof pc, {wg},
                 std::min(div_up(count, wg), kMaxGroups), 1, 1);
        break;
      }
      case OpKind::Slice: {
        const Node& x = graph.node(in[0]);
        SlicePush pc{n.rows, x.cols, n.slice_begin, n.cols / n.groups, n.groups};
        uint32_t wg = config_.elementwise_wg;
        dispatch("slice", {bind(in[0], false), bind(self, false)}, &pc, sizeof pc, {wg},
                 std::min(div_up(uint64_t(n.rows) * n.cols, wg), kMaxGroups), 1, 1);
        break;
      }
      case OpKind::Concat: {
        ConcatPush pc{n.rows, graph.node(in[0]).cols, graph.node(in[1]).cols, n.groups};
        uint32_t wg = config_.elementwise_wg;
        dispatch("concat", {bind(in[0], false), bind(in[1], false), bind(self, false)}, &pc, sizeof pc, {wg},
                 std::min(div_up(uint64_t(n.rows) * n.cols, wg), kMaxGroups), 1, 1);
        break;
      }
      case OpKind::MoeRoute: record_moe_route(n, self); break;
      case OpKind::MoeLinear: record_moe_linear(graph, n, self); break;
      case OpKind::MoeCombine: {
        MoeCombinePush pc{graph.node(in[1]).rows, n.cols, n.moe.n_used};
        uint32_t wg = config_.elementwise_wg;
        dispatch("moe_combine", {bind(in[0], false), bind(in[1], false), bind(self, false)}, &pc, sizeof pc, {wg},
                 std::min(div_up(uint64_t(n.rows) * n.cols, wg), kMaxGroups), 1, 1);
        break;
      }
      case OpKind::OutputRows: {
        const Node& x = graph.node(in[0]);
        Binding src = bind(in[0], false), dst = bind(self, false);
        copy(src.buffer, src.offset + uint64_t(x.rows - 1) * x.cols * 4, dst.buffer, dst.offset, uint64_t(n.cols) * 4);
        break;
      }
    }
  }
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

// Two passes: every workgroup keeps the k best of its slice of the row, then one workgroup
// keeps the k best of those; only k (logit, id) pairs travel back.
void CompiledGraph::record_top_k(const Graph& graph) {
  constexpr uint32_t kSlice = 1024;  // MAX_SLICE in shaders/topk.comp
  uint32_t slices = div_up(out_cols_, kSlice);
  candidates_ = std::make_unique<vk::Buffer>(device_, uint64_t(slices) * top_k_ * 8, vk::MemoryKind::Device, "top-k candidates");
  best_ = std::make_unique<vk::Buffer>(device_, uint64_t(top_k_) * 8, vk::MemoryKind::Device, "top-k");
  Binding cand = whole(*candidates_), best = whole(*best_);
  uint32_t wg = config_.reduce_wg;
  struct TopKPush { uint32_t n, k, slice; };
  TopKPush slice_pc{out_cols_, top_k_, kSlice};
  dispatch("topk_slices", {bind(graph.output(), false), cand}, &slice_pc, sizeof slice_pc, {wg}, slices, 1, 1);
  TopKPush merge_pc{slices * top_k_, top_k_, 0};
  dispatch("topk_merge", {cand, best}, &merge_pc, sizeof merge_pc, {wg}, 1, 1, 1);
  copy(best_->handle(), 0, readback_->handle(), 0, uint64_t(top_k_) * 8);
  cmd_->barrier();  // for the host
}

void CompiledGraph::run(std::span<const int32_t> ids, uint32_t n_past, std::span<float> logits) {
  if (top_k_) throw std::logic_error("run: this graph returns its top-k (run_top)");
  if (logits.size() < uint64_t(out_rows_) * out_cols_) throw std::invalid_argument("run: logits buffer too small");
  submit(ids, n_past);
  std::memcpy(logits.data(), readback_->mapped(), uint64_t(out_rows_) * out_cols_ * 4);
}

std::vector<TopLogit> CompiledGraph::run_top(std::span<const int32_t> ids, uint32_t n_past) {
  if (!top_k_) throw std::logic_error("run_top: this graph was compiled without top_k");
  submit(ids, n_past);
  std::vector<TopLogit> out;
  const auto* pairs = static_cast<const float*>(readback_->mapped());
  for (uint32_t i = 0; i < top_k_; ++i) {
    uint32_t id;
    std::memcpy(&id, &pairs[2 * i + 1], 4);
    if (id == UINT32_MAX) break;  // the row had fewer than k entries
    out.push_back({static_cast<int32_t>(id), pairs[2 * i]});
  }
  return out;
}

void CompiledGraph::submit(std::span<const int32_t> ids, uint32_t n_past) {
  if (ids.size() != n_tokens_) throw std::invalid_argument("run: expected " + std::to_string(n_tokens_) + " token ids");
  if (uint64_t(n_past) + n_tokens_ > cache_.capacity())
    throw std::runtime_error("context full: " + std::to_string(n_past) + " + " + std::to_string(n_tokens_) +
                             " tokens exceed the KV cache of " + std::to_string(cache_.capacity()));
  std::memcpy(ids_->mapped(), ids.data(), ids.size_bytes());
  StepValues sv{n_past, n_tokens_};
  std::memcpy(step_->mapped(), &sv, sizeof sv);
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
}

}  // namespace rbee
