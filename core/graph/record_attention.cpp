// The executor's recorder of attention: the batch's keys and values stored into the layer's
// KV cache (kv_store), then the queries attending over the cache (attention). A rope folded
// into either (Fusions) rotates the keys as they are stored, the queries as they load.
#include <algorithm>
#include <bit>
#include <stdexcept>

#include "graph/attention_variant.hpp"
#include "graph/dispatch.hpp"
#include "graph/executor.hpp"

namespace rbee {

using namespace dispatch;

namespace {

// The attention's layer must exist and match the layout its cache was allocated with.
void check_cache(const KvCache& cache, const rbee_attention_params& a, uint32_t batch) {
  if (a.layer >= cache.n_layers())
    throw std::runtime_error("attention uses KV cache " + std::to_string(a.layer) + " but the model declares " +
                             std::to_string(cache.n_layers()));
  const rbee_kv_layout& kv = cache.layout(a.layer);
  if (kv.n_kv_heads != a.n_kv_heads || kv.head_dim_k != a.head_dim_k || kv.head_dim_v != a.head_dim_v ||
      kv.sliding_window != a.window || kv.values_in_keys != a.values_in_keys)
    throw std::runtime_error("attention of layer " + std::to_string(a.layer) + " does not match its KV layout");
  if (a.window && batch > cache.max_batch())
    throw std::runtime_error("a batch of " + std::to_string(batch) + " tokens exceeds the " +
                             std::to_string(cache.max_batch()) + " the sliding-window KV cache was sized for");
}

}  // namespace

// Inputs: queries, keys, values (none with values in the keys), sinks (may be none).
void CompiledGraph::record_attention(const Graph& graph, const Node& n, rbee_tensor self) {
  const rbee_attention_params& a = n.attention;
  const auto& in = n.inputs;
  check_cache(cache_, a, n.rows);
  const uint32_t ring = cache_.ring(a.layer), table_stride = cache_.table_stride();
  const KvLayout layout = kv_layout(a);
  const bool in_keys = a.values_in_keys != 0;
  Binding kc = whole(cache_.keys(a.layer)), vc = whole(cache_.values(a.layer)), step = whole(*step_);
  Binding none = whole(*dummy_), table = whole(cache_.block_table());

  KvStorePush sp{layout.k_dim, layout.v_dim, ring, table_stride};
  const uint32_t wg = config_.elementwise_wg;
  const uint32_t store_groups = std::min(div_up((sp.k_dim + sp.v_dim) / 2, wg), kMaxGroups);
  // Bindings 5 and 6 are the folded rope's; 7 the block table.
  std::vector<Binding> store{bind(in[1], false), in_keys ? none : bind(in[2], false), kc, in_keys ? none : vc, step,
                             none, none, table};
  if (rbee_tensor rope = fusions_.key_rope_of[self - 1]) {
    const Node& r = graph.node(rope);
    store[0] = bind(r.inputs[0], false);
    store[5] = rope_table(r);
    store[6] = bind(r.inputs[1], true);
    KvStoreRopePush rp{sp, rope_push(r)};
    dispatch(vk::KvStore{.kv = cache_.type(), .rope = true}.name(), store, &rp, sizeof rp, {wg}, store_groups,
             n.rows, 1);
  } else {
    dispatch(vk::KvStore{.kv = cache_.type()}.name(), store, &sp, sizeof sp, {wg}, store_groups, n.rows, 1);
  }

  const bool sinks = in[3] != RBEE_TENSOR_NONE;
  AttentionRopePush pc{{a.n_heads, a.n_kv_heads, a.head_dim_k, a.head_dim_v, a.scale, a.softcap, a.window, ring,
                        layout.v_stride, layout.v_head, table_stride, sinks},
                       {}};
  // Binding 8: the heads' sinks.
  std::vector<Binding> attend{bind(in[0], false), kc, vc, step, bind(self, false), none, none, table, bind(in[3], true)};
  const rbee_tensor query_rope = fusions_.query_rope_of[self - 1];
  if (query_rope) {
    const Node& r = graph.node(query_rope);
    attend[0] = bind(r.inputs[0], false);
    attend[5] = rope_table(r);
    attend[6] = bind(r.inputs[1], true);
    pc.rope = rope_push(r);
  }
  vk::Attention variant = attention_variant(a, layout, query_rope != RBEE_TENSOR_NONE, cache_, config_.texel_inputs,
                                            device_.limits().maxTexelBufferElements);
  const uint32_t push_bytes = variant.rope ? sizeof pc : sizeof pc.attention;
  const uint32_t group = a.n_heads / a.n_kv_heads;
  // The kernel: attention_tiled.comp shares each key and value fetch among query rows of a KV
  // head in a segment (one sequence's run of tokens). Reading texels (CPU implementations), it
  // runs every step, single tokens too: a workgroup is one subgroup, a key per lane. Reading
  // storage buffers, batches: a row per lane, keys through shared memory; single tokens keep
  // attention.comp (a workgroup per head). Heads past 256 (MLA's latent) keep attention.comp:
  // a lane's query and accumulator would not fit its registers.
  const bool texel_tiled = variant.texel && !variant.wide && config_.subgroup_wg != 0 &&
                           config_.subgroup_wg == device_.info().subgroup_size;
  const bool tiled = !variant.wide && (texel_tiled || n.rows > 1);
  if (tiled && !texel_tiled) variant.texel = false;  // the storage-buffer layout
  if (variant.texel) attend[1].texel = attend[2].texel = kv_texel_format(variant.kv);

  // Split-K: where the step's rows take too few workgroups to fill the device (decode), each
  // row's keys split over `splits` workgroups (z), each worth at least attention_split_keys of
  // the positions a row may see, into partials (scratch) that attention_merge reduces.
  const uint32_t seen = a.window ? std::min(a.window, positions_) : positions_;
  auto split_count = [&](uint64_t groups) -> uint32_t {
    constexpr uint32_t kMaxSplits = 64;
    const uint32_t target = config_.attention_split_groups, keys = config_.attention_split_keys;
    if (target == 0 || groups >= target || keys == 0) return 1;
    const uint64_t by_keys = seen / keys;
    return static_cast<uint32_t>(std::clamp<uint64_t>(std::min<uint64_t>(div_up(target, groups), by_keys), 1, kMaxSplits));
  };
  uint32_t splits = 1, lanes = config_.attention_wg, rows = 1, blocks = n.rows;
  std::vector<uint32_t> spec;
  std::string_view name = variant.name();
  if (tiled) {
    // Texel: at most attention_rows rows a workgroup, fewer where the step has fewer (a power
    // of two, so that few kernels are built).
    lanes = texel_tiled ? config_.subgroup_wg : config_.attention_rows;
    uint32_t max_rows = config_.attention_rows;
    if (texel_tiled && uint64_t(n.rows) * group < max_rows) max_rows = std::bit_ceil(n.rows * group);
    TiledAttention t = tiled_attention(a, variant, lanes, max_rows, device_.limits().maxComputeSharedMemorySize);
    rows = t.rows;
    if (texel_tiled) {
      splits = split_count(uint64_t(a.n_kv_heads) * div_up(uint64_t(n.rows) * group, rows));
      if (splits > 1) t = tiled_attention(a, variant, lanes, max_rows, device_.limits().maxComputeSharedMemorySize, splits);
    }
    // Workgroups for any split into segments: each may end in a partial block of rows.
    blocks = div_up(uint64_t(n.rows) * group, rows) + std::min(n.rows, cache_.sequences());
    if (blocks > kMaxGroups)
      throw std::runtime_error("attention of layer " + std::to_string(a.layer) + ": a batch of " +
                               std::to_string(n.rows) + " tokens needs more workgroups than a dispatch has");
    spec = std::move(t.spec);
    name = t.variant.name();
  } else {
    splits = split_count(uint64_t(a.n_heads) * n.rows);
    spec = {lanes, splits};
  }
  const uint32_t gx = tiled ? a.n_kv_heads : a.n_heads;
  if (splits == 1) {
    dispatch(name, attend, &pc, push_bytes, spec, gx, blocks, 1);
    return;
  }
  // Partials: per (token, head) row and split, dv values padded to a multiple of 4, then
  // (max, sum) and two unused floats (attention_merge.comp). The layers share a scratch buffer
  // where it is large enough (each layer's attention waits on the layer before anyway).
  const uint64_t stride = 4 * (div_up(a.head_dim_v, 4) + 1);
  const uint64_t bytes = uint64_t(n.rows) * a.n_heads * splits * stride * 4;
  if (scratch_.empty() || scratch_.back()->size() < bytes)
    scratch_.push_back(std::make_unique<vk::Buffer>(device_, bytes, vk::MemoryKind::Device, "attention partials"));
  const Binding partials{scratch_.back()->handle(), 0, bytes};
  attend[4] = partials;
  dispatch(name, attend, &pc, push_bytes, spec, gx, blocks, splits);
  struct MergePush { uint32_t n_heads, dv, splits, has_sinks; };
  const MergePush mp{a.n_heads, a.head_dim_v, splits, sinks};
  dispatch(shaders::AttentionMerge{.kv = variant.kv}.name(), {partials, bind(self, false), bind(in[3], true)}, &mp, sizeof mp,
           {config_.attention_wg}, a.n_heads, n.rows, 1);
}

}  // namespace rbee
