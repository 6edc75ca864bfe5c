#include "graph/attention_variant.hpp"

#include <algorithm>

namespace rbee {

KvLayout kv_layout(const rbee_attention_params& a) {
  const uint32_t k_dim = a.n_kv_heads * a.head_dim_k, v_dim = a.n_kv_heads * a.head_dim_v;
  if (a.values_in_keys) return {k_dim, 0, k_dim, a.head_dim_k};
  return {k_dim, v_dim, v_dim, a.head_dim_v};
}

vk::Attention attention_variant(const rbee_attention_params& a, const KvLayout& layout, bool query_rope,
                                const KvCache& cache, bool texel_inputs, uint64_t max_texels) {
  vk::Attention v{.kv = cache.type(), .rope = query_rope, .wide = a.head_dim_k > 256 || a.head_dim_v > 256};
  // The texel variant reads 4-element texels: head sizes, strides and offsets must be
  // multiples of 4, and each cache buffer within the texel limit.
  const uint64_t texel_bytes = cache.type() == KvType::F16 ? 8 : 16;
  v.texel = texel_inputs && a.head_dim_k % 4 == 0 && a.head_dim_v % 4 == 0 && layout.v_stride % 4 == 0 &&
            layout.v_head % 4 == 0 && cache.keys(a.layer).size() / texel_bytes <= max_texels &&
            cache.values(a.layer).size() / texel_bytes <= max_texels;
  return v;
}

TiledAttention tiled_attention(const rbee_attention_params& a, const vk::Attention& of, uint32_t lanes, uint32_t rows,
                               uint32_t shared_bytes, uint32_t splits) {
  constexpr uint32_t kMaxKeyTile = 32;
  const uint32_t dk4 = (a.head_dim_k + 3) / 4, dv4 = (a.head_dim_v + 3) / 4;
  const uint32_t in_keys = a.values_in_keys ? 1 : 0;
  const uint32_t softcap = a.softcap > 0 ? 1 : 0, ring = a.window ? 1 : 0;
  TiledAttention t{{.kv = of.kv, .rope = of.rope, .texel = of.texel}, {}, lanes, of.texel ? splits : 1};
  if (of.texel) {
    // Each lane holds every row's query and accumulator, and the key loop is unrolled over
    // rows, keys a lane and head elements: lavapipe's compile time grows faster than rows times
    // head elements (d64 heads, cold, 2 keys a lane: 8 rows 3 s, 4 rows 1.3 s; d256 heads: 4
    // rows 9.5 s, 2 rows 2.6 s), so at most kRowElements of those (16 rows of d16 heads, 8 of
    // d64, 4 of d128, 2 of d256); keys a lane matter less: 32 keys a step.
    constexpr uint32_t kRowElements = 1024;
    const uint32_t dims = 4 * (dk4 + dv4);
    rows = std::clamp<uint32_t>(kRowElements / dims, 1, std::max<uint32_t>(rows, 1));
    // Shared memory: the rows' queries, and every lane's softmax of every row for the merge.
    while (rows > 1 && rows * (16 * dk4 + lanes * (8 + 16 * dv4)) > shared_bytes) --rows;
    uint32_t per_lane = std::clamp<uint32_t>(32 / std::max<uint32_t>(lanes, 1), 1, 4);
    t.rows = rows;
    t.spec = {lanes, dk4, dv4, lanes * per_lane, in_keys, rows, per_lane, splits, softcap, ring};
    return t;
  }
  // The value tile of values in the keys is one placeholder vec4.
  const uint32_t key_bytes = 16 * (dk4 + (in_keys ? 0 : dv4));
  const uint32_t key_tile = std::clamp<uint32_t>((shared_bytes - 16) / key_bytes, 1, kMaxKeyTile);
  t.rows = lanes;
  t.spec = {lanes, dk4, dv4, key_tile, in_keys, lanes, 1, 1, softcap, ring};
  return t;
}

VkFormat kv_texel_format(KvType kv) {
  return kv == KvType::F16 ? VK_FORMAT_R16G16B16A16_SFLOAT : VK_FORMAT_R32G32B32A32_SFLOAT;
}

}  // namespace rbee
