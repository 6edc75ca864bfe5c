#include "graph/kv_cache.hpp"

#include <string>

namespace rbee {

KvCache::KvCache(const vk::Device& device, const std::vector<rbee_kv_layout>& layers, uint32_t capacity, KvType type)
    : layers_(layers), capacity_(capacity), type_(type) {
  uint64_t elem = type == KvType::F16 ? 2 : 4;
  for (size_t l = 0; l < layers.size(); ++l) {
    uint64_t kb = uint64_t(capacity) * layers[l].n_kv_heads * layers[l].head_dim_k * elem;
    uint64_t vb = uint64_t(capacity) * layers[l].n_kv_heads * layers[l].head_dim_v * elem;
    k_.push_back(std::make_unique<vk::Buffer>(device, kb, vk::MemoryKind::Device, "KV cache keys of layer " + std::to_string(l)));
    v_.push_back(std::make_unique<vk::Buffer>(device, vb, vk::MemoryKind::Device, "KV cache values of layer " + std::to_string(l)));
  }
}

uint64_t KvCache::bytes_per_token() const {
  uint64_t elem = type_ == KvType::F16 ? 2 : 4, total = 0;
  for (const auto& l : layers_) total += uint64_t(l.n_kv_heads) * (l.head_dim_k + l.head_dim_v) * elem;
  return total;
}

}  // namespace rbee
