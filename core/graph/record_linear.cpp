// The executor's recorders of linears and gated units with their linears folded in: which
// kernel family runs a linear on this device, and its bindings, push constants and grid.
#include <algorithm>

#include "graph/dispatch.hpp"
#include "graph/executor.hpp"
#include "graph/weight_kernel.hpp"
#include "vulkan/error.hpp"

namespace rbee {

using namespace dispatch;

namespace {

// matmul_rows decodes each weight block once for a group of tokens (TOKENS, shaders/CMakeLists.txt):
// 16 for prompts, 4 for a few sequences decoding together, which a 16-token group would make
// decode and multiply for 12 tokens that are not there.
struct RowsGroup {
  WeightKernel kernel;
  uint32_t tokens;
};
RowsGroup rows_group(uint32_t n_tokens, bool gate_up) {
  using K = WeightKernel;
  if (n_tokens <= 4) return {gate_up ? K::MatmulRowsGateUp4 : K::MatmulRows4, 4};
  return {gate_up ? K::MatmulRowsGateUp : K::MatmulRows, 16};
}

// The subgroup kernels reading texels or storage buffers (texel), for one token (vec) or
// batches, the input a folded gated unit or not.
WeightKernel subgroup_family(bool texel, bool vec, bool gated) {
  using K = WeightKernel;
  // [batch][gated][texel]
  constexpr K kSubgroup[2][2][2] = {{{K::Matvec, K::MatvecTexel}, {K::MatvecGated, K::MatvecGatedTexel}},
                                    {{K::MatmulSubgroup, K::MatmulSubgroupTexel},
                                     {K::MatmulSubgroupGated, K::MatmulSubgroupGatedTexel}}};
  return kSubgroup[!vec][gated][texel];
}

}  // namespace

// x times W^T (+ bias) into out. One token: the mat-vec variant; batches: 8 tokens per
// workgroup (matmul_rows: rows_group). A folded gated unit as input: its gate in binding 0, its up in binding 4; a folded
// norm: its input in binding 0, its weight in binding 7. A residual (binding 6) is added as the
// results are written. Weights bound as a storage buffer larger than the device binds at once
// run as a dispatch per slice of their rows (row_slices), each writing its columns of out.
void CompiledGraph::record_linear(const Graph& graph, const Node& n, rbee_tensor out, rbee_tensor residual) {
  const auto& in = n.inputs;
  const Node& w = graph.node(in[1]);
  const bool has_bias = in[2] != RBEE_TENSOR_NONE;
  const FoldedNorm norm = folded_norm(graph, in[0]);
  std::vector<Binding> bindings{norm.x, bind(in[1], false), bind(in[2], true), bind(out, false)};
  // The bindings of rows [first, first + count): the weights' rows and the outputs' columns.
  auto slice_bindings = [&](std::vector<Binding> b, RowSlice slice) {
    Binding rows = weight_rows(w, slice);
    b[1].offset = rows.offset;
    b[1].range = rows.range;
    for (size_t i : {size_t(2), size_t(3), size_t(6)}) {
      if (i >= b.size() || (i == 2 && !has_bias) || (i == 6 && residual == RBEE_TENSOR_NONE)) continue;
      b[i].offset += uint64_t(slice.first) * 4;
      b[i].range -= uint64_t(slice.first) * 4;
    }
    return b;
  };
  if (!config_.subgroup_wg) {
    for (RowSlice slice : row_slices(w)) {
      uint32_t gx = std::min(slice.count, kMaxGroups);
      MatmulPush pc{w.cols, slice.count, n.rows, has_bias, gx, n.cols};
      dispatch(weight_kernel(WeightKernel::Matmul, w.weight->dtype), slice_bindings(bindings, slice), &pc, sizeof pc,
               {config_.reduce_wg}, gx, div_up(slice.count, gx), div_up(n.rows, kMatmulTokensPerGroup));
    }
    return;
  }
  bool vec = n.rows == 1;
  const Node& input = graph.node(in[0]);
  bool folded = fusions_.folded[in[0] - 1];
  bool gated = folded && input.kind == OpKind::Elementwise;
  Binding none = whole(*dummy_);
  uint32_t act = 0;
  if (gated) {
    bindings[0] = bind(input.inputs[0], false);
    bindings.push_back(bind(input.inputs[1], false));
    act = input.elementwise - kGated + kSilu;
  }
  // Every variant declares bindings 0..7 (4: up, 5: routing, 6: residual, 7: norm weight);
  // unused ones get a stub.
  bindings.resize(6, none);
  bindings.push_back(residual != RBEE_TENSOR_NONE ? bind(residual, false) : none);
  bindings.push_back(norm.weight);

  LinearKernel family = linear_kernel(w, folded);
  if (family == LinearKernel::Rows) {
    bindings[0].texel = VK_FORMAT_R32G32B32A32_SFLOAT;
    bindings[1].texel = VK_FORMAT_R32G32B32A32_UINT;
  } else if (family == LinearKernel::Texel) {
    bindings[0].texel = VK_FORMAT_R32_SFLOAT;
    bindings[1].texel = VK_FORMAT_R32_UINT;
    if (gated) bindings[4].texel = VK_FORMAT_R32_SFLOAT;
    bindings[7].texel = VK_FORMAT_R32_SFLOAT;  // declared a texel buffer whether a norm is folded or not
  }
  bool rows = family == LinearKernel::Rows;
  const RowsGroup group = rows_group(n.rows, false);
  const WeightKernel kind = !rows ? subgroup_family(family == LinearKernel::Texel, vec, gated)
                            : vec ? WeightKernel::MatvecRows
                                  : group.kernel;
  std::string kernel = weight_kernel(kind, w.weight->dtype);
  const uint32_t lane_rows = vec ? config_.row_kernel_vec_rows : config_.row_kernel_rows;
  std::vector<uint32_t> spec = rows ? std::vector<uint32_t>{config_.subgroup_wg, config_.subgroup_wg, lane_rows}
                                    : std::vector<uint32_t>{config_.subgroup_wg, config_.subgroup_rows, norm.mode};
  // Texel views have their own limit (linear_kernel): only storage-bound weights are sliced.
  std::vector<RowSlice> slices =
      family == LinearKernel::Storage ? row_slices(w) : std::vector<RowSlice>{{0, w.rows}};
  for (RowSlice slice : slices) {
    uint32_t groups = div_up(slice.count, rows ? config_.subgroup_wg * lane_rows : config_.subgroup_rows);
    uint32_t gx = std::min(groups, kMaxGroups);
    SubgroupMatmulPush pc{w.cols, slice.count, n.rows, has_bias, gx, act, residual != RBEE_TENSOR_NONE, norm.eps,
                          norm.offset, n.cols};
    dispatch(kernel, slice_bindings(bindings, slice), &pc, rows ? kRowsMatmulPushBytes : sizeof pc, spec, gx,
             div_up(groups, gx), vec ? 1 : div_up(n.rows, rows ? group.tokens : kSubgroupTokens));
  }
}

// A texel view holds at most maxTexelBufferElements texels: larger weights keep storage buffers.
// (A plain weight is not uploaded to ask: a gate/up pair uploads only its stacked copy.)
CompiledGraph::LinearKernel CompiledGraph::linear_kernel(const Node& weight, bool folded_input) {
  bool plain = weight.expert_parts.empty() && !weight.cut.rows_per_head;
  uint64_t bytes = plain ? DeviceWeights::stored_size(*weight.weight) : weight_buffer(weight, false).size();
  uint64_t max_texels = device_.limits().maxTexelBufferElements;
  auto traits = dtype_traits(static_cast<uint32_t>(weight.weight->dtype));
  bool blocks = traits && traits->block_elems > 1;
  if (config_.row_kernels && blocks && !folded_input && bytes / 16 <= max_texels) return LinearKernel::Rows;
  if (config_.texel_inputs && bytes / 4 <= max_texels) return LinearKernel::Texel;
  return LinearKernel::Storage;
}

// act(x Wg^T) * (x Wu^T) in one dispatch. matmul_rows (GATE_UP): both weights as 16-byte texels
// (1: gate, 4: up), x as vec4 texels. The storage-buffer kernels (*_gate_up_*): a stacked copy
// of the weights, gate rows then up rows, in binding 1; x may be a folded RMS norm (binding 7
// its weight).
void CompiledGraph::record_gate_up(const Graph& graph, const Node& unit, std::pair<rbee_tensor, rbee_tensor> linears,
                                   rbee_tensor self) {
  const Node& gate = graph.node(linears.first);
  const Node &wg = graph.node(gate.inputs[1]), &wu = graph.node(graph.node(linears.second).inputs[1]);
  const rbee_tensor x = gate.inputs[0];
  const bool normed = fusions_.folded[x - 1], vec = unit.rows == 1;
  const uint32_t act = unit.elementwise - kGated + kSilu;
  Binding none = whole(*dummy_);
  if (linear_kernel(wg, normed) == LinearKernel::Rows) {
    std::vector<Binding> bindings{bind(x, false), bind(gate.inputs[1], false), none, bind(self, false),
                                  bind(graph.node(linears.second).inputs[1], false), none, none, none};
    bindings[0].texel = VK_FORMAT_R32G32B32A32_SFLOAT;
    bindings[1].texel = bindings[4].texel = VK_FORMAT_R32G32B32A32_UINT;
    const uint32_t lane_rows = vec ? config_.row_kernel_vec_rows : config_.row_kernel_rows;
    uint32_t groups = div_up(unit.cols, config_.subgroup_wg * lane_rows);
    uint32_t gx = std::min(groups, kMaxGroups);
    SubgroupMatmulPush pc{wg.cols, unit.cols, unit.rows, 0, gx, act, 0, 0.0f, 0.0f, unit.cols};
    const RowsGroup group = rows_group(unit.rows, true);
    dispatch(weight_kernel(vec ? WeightKernel::MatvecRowsGateUp : group.kernel, wg.weight->dtype), bindings, &pc,
             kRowsMatmulPushBytes, {config_.subgroup_wg, config_.subgroup_wg, lane_rows}, gx, div_up(groups, gx),
             vec ? 1 : div_up(unit.rows, group.tokens));
    return;
  }
  FoldedNorm norm = folded_norm(graph, x);
  std::vector<Binding> bindings{norm.x, whole(weights_.stacked({wg.weight, wu.weight})), none, bind(self, false),
                                none, none, none, norm.weight};
  const uint32_t rows = std::min(config_.subgroup_rows, kGateUpMaxRows);
  uint32_t groups = div_up(unit.cols, rows);
  uint32_t gx = std::min(groups, kMaxGroups);
  SubgroupMatmulPush pc{wg.cols, unit.cols, unit.rows, 0, gx, act, 0, norm.eps, norm.offset, unit.cols};
  dispatch(weight_kernel(vec ? WeightKernel::MatvecGateUp : WeightKernel::MatmulSubgroupGateUp, wg.weight->dtype),
           bindings, &pc, sizeof pc, {config_.subgroup_wg, rows, norm.mode}, gx, div_up(groups, gx),
           vec ? 1 : div_up(unit.rows, kSubgroupTokens));
}

CompiledGraph::FoldedNorm CompiledGraph::folded_norm(const Graph& graph, rbee_tensor x) {
  Binding none = whole(*dummy_);
  const Node& norm = graph.node(x);
  if (!fusions_.folded[x - 1] || norm.kind != OpKind::Norm) return {bind(x, false), none, 0, 0.0f, 0.0f};
  bool weighted = norm.inputs[1] != RBEE_TENSOR_NONE;
  return {bind(norm.inputs[0], false), weighted ? bind(norm.inputs[1], true) : none, weighted ? 2u : 1u, norm.norm.eps,
          norm.norm.weight_offset};
}

}  // namespace rbee
