// The executor's recorder of attention: the batch's keys and values stored into the layer's
// KV cache (kv_store), then the queries attending over the cache (attention). A rope folded
// into either (Fusions) rotates the keys as they are stored, the queries as they load.
#include <algorithm>
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

// Inputs: queries, keys, values (none with values in the keys).
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

  AttentionRopePush pc{{a.n_heads, a.n_kv_heads, a.head_dim_k, a.head_dim_v, a.scale, a.softcap, a.window, ring,
                        layout.v_stride, layout.v_head, table_stride},
                       {}};
  std::vector<Binding> attend{bind(in[0], false), kc, vc, step, bind(self, false), none, none, table};
  const rbee_tensor query_rope = fusions_.query_rope_of[self - 1];
  if (query_rope) {
    const Node& r = graph.node(query_rope);
    attend[0] = bind(r.inputs[0], false);
    attend[5] = rope_table(r);
    attend[6] = bind(r.inputs[1], true);
    pc.rope = rope_push(r);
  }
  const vk::Attention variant = attention_variant(a, layout, query_rope != RBEE_TENSOR_NONE, cache_,
                                                  config_.texel_inputs, device_.limits().maxTexelBufferElements);
  if (variant.texel) attend[1].texel = attend[2].texel = kv_texel_format(variant.kv);
  const uint32_t push_bytes = variant.rope ? sizeof pc : sizeof pc.attention;
  // A batch: key tiles shared by all the query rows of a KV head in a segment (one sequence's
  // run of tokens). Heads past 256 (MLA's latent) keep attention.comp: a lane's query and
  // accumulator would not fit its registers.
  if (n.rows > 1 && !variant.wide) {
    const uint32_t lanes = config_.attention_rows;
    const TiledAttention tiled =
        tiled_attention(a, variant, lanes, device_.limits().maxComputeSharedMemorySize);
    // Workgroups for any split into segments: each may end in a partial block of rows.
    const uint32_t blocks = div_up(uint64_t(n.rows) * (a.n_heads / a.n_kv_heads), lanes) +
                            std::min(n.rows, cache_.sequences());
    if (blocks > kMaxGroups)
      throw std::runtime_error("attention of layer " + std::to_string(a.layer) + ": a batch of " +
                               std::to_string(n.rows) + " tokens needs more workgroups than a dispatch has");
    dispatch(tiled.variant.name(), attend, &pc, push_bytes, tiled.spec, a.n_kv_heads, blocks, 1);
    return;
  }
  dispatch(variant.name(), attend, &pc, push_bytes, {config_.attention_wg}, a.n_heads, n.rows, 1);
}

}  // namespace rbee
