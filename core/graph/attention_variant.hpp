#pragma once
// Which variant of shaders/attention.comp runs an attention, named as shaders/CMakeLists.txt
// builds them: attention_[rope_][wide_][texel_]{f16,f32}.
#include <cstdint>
#include <string>

#include <vulkan/vulkan.h>

#include "graph/kv_cache.hpp"
#include "rbee/graph.h"

namespace rbee {

// How a layer's rows sit in its KV cache: the widths kv_store writes, and the stride and head
// size attention reads values with. Values in the keys (MLA's latent): only the keys are
// stored, and attention reads a head's values from the keys' rows.
struct KvLayout {
  uint32_t k_dim, v_dim;     // stored per row (v_dim 0: values in the keys)
  uint32_t v_stride, v_head;
};
KvLayout kv_layout(const rbee_attention_params& a);

struct AttentionVariant {
  bool query_rope;  // the queries are rotated as they load (QUERY_ROPE)
  bool wide;        // heads past 256 (MAX_HEAD_DIM=1024)
  bool texel;       // the cache read as uniform texel buffers of texel_format() (TEXEL_KV)
  KvType kv;
  std::string shader() const;
  VkFormat texel_format() const;
};

// texel_inputs: the device prefers texel reads (KernelConfig); max_texels: its
// maxTexelBufferElements, which each of the layer's cache buffers must fit as texels.
AttentionVariant attention_variant(const rbee_attention_params& a, const KvLayout& layout, bool query_rope,
                                   const KvCache& cache, bool texel_inputs, uint64_t max_texels);

}  // namespace rbee
