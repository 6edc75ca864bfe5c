#pragma once
// Which variant of shaders/attention.comp runs an attention: a vk::Attention, whose fields are
// the axes shaders/CMakeLists.txt builds it along (RBEE_KV_KERNELS).
#include <cstdint>
#include <vector>

#include <vulkan/vulkan.h>

#include "graph/kv_cache.hpp"
#include "rbee/graph.h"
#include "vulkan/kernels.hpp"

namespace rbee {

// How a layer's rows sit in its KV cache: the widths kv_store writes, and the stride and head
// size attention reads values with. Values in the keys (MLA's latent): only the keys are
// stored, and attention reads a head's values from the keys' rows.
struct KvLayout {
  uint32_t k_dim, v_dim;     // stored per row (v_dim 0: values in the keys)
  uint32_t v_stride, v_head;
};
KvLayout kv_layout(const rbee_attention_params& a);

// The variant: of the cache's type; rope: the queries are rotated as they load; wide: heads
// past 256; texel: the cache read as uniform texel buffers of kv_texel_format. texel_inputs: the
// device prefers texel reads (KernelConfig); max_texels: its maxTexelBufferElements, which each
// of the layer's cache buffers must fit as texels.
vk::Attention attention_variant(const rbee_attention_params& a, const KvLayout& layout, bool query_rope,
                                const KvCache& cache, bool texel_inputs, uint64_t max_texels);

// The tiled kernel of batches (shaders/attention_tiled.comp): its variant, with the cache type,
// rope and texel choice of `of`, its specialization constants and the query rows a workgroup
// takes. Storage buffers: a row per lane (lanes of them), keys per tile as many as the
// device's shared memory holds (at most 32). Texel (CPU implementations): lanes the subgroup
// size, a key per lane; at most `rows` rows, fewer for large heads, and 1..4 keys a lane per
// step; splits > 1: each block's keys split over that many workgroups (partials).
struct TiledAttention {
  vk::AttentionTiled variant;
  std::vector<uint32_t> spec;
  uint32_t rows;    // query rows per workgroup
  uint32_t splits;  // workgroups per block of rows (z)
};
TiledAttention tiled_attention(const rbee_attention_params& a, const vk::Attention& of, uint32_t lanes, uint32_t rows,
                               uint32_t shared_bytes, uint32_t splits = 1);

// The texels the texel variant reads a cache of type kv as.
VkFormat kv_texel_format(KvType kv);

}  // namespace rbee
