#include "graph/kv_cache.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace rbee {

namespace {
uint64_t elem_bytes(KvType t) { return t == KvType::F16 ? 2 : 4; }
}  // namespace

KvCache::KvCache(const vk::Device& device, const std::vector<rbee_kv_layout>& layers, uint32_t capacity, KvType type,
                 uint32_t max_batch)
    : layers_(layers), capacity_(capacity), max_batch_(max_batch), type_(type) {
  for (size_t l = 0; l < layers.size(); ++l) {
    uint64_t window = layers[l].sliding_window;
    uint32_t rows = window ? static_cast<uint32_t>(std::min<uint64_t>(capacity, window + max_batch - 1)) : capacity;
    rows_.push_back(rows);
    uint64_t k_row = uint64_t(layers[l].n_kv_heads) * layers[l].head_dim_k * elem_bytes(type);
    uint64_t v_row = layers[l].values_in_keys ? 0 : uint64_t(layers[l].n_kv_heads) * layers[l].head_dim_v * elem_bytes(type);
    // Kernels bind a layer's keys and values whole.
    uint64_t limit = device.info().max_storage_buffer_range, widest = std::max(k_row, v_row);
    if (widest * rows > limit)
      throw std::runtime_error("the KV cache of layer " + std::to_string(l) + " needs " + std::to_string(widest * rows) +
                               " bytes in one buffer for " + std::to_string(rows) +
                               " positions, more than this device binds at once (" + std::to_string(limit) +
                               " bytes): use a context of at most " + std::to_string(limit / widest) + " positions");
    k_.push_back(std::make_unique<vk::Buffer>(device, rows * k_row, vk::MemoryKind::Device,
                                              "KV cache keys of layer " + std::to_string(l)));
    if (layers[l].values_in_keys) {  // the keys' buffer serves both
      v_.push_back(nullptr);
      continue;
    }
    v_.push_back(std::make_unique<vk::Buffer>(device, rows * v_row, vk::MemoryKind::Device,
                                              "KV cache values of layer " + std::to_string(l)));
  }
}

uint64_t KvCache::bytes() const {
  uint64_t total = 0;
  for (size_t l = 0; l < layers_.size(); ++l) {
    uint32_t v_dim = layers_[l].values_in_keys ? 0 : layers_[l].head_dim_v;
    total += uint64_t(rows_[l]) * layers_[l].n_kv_heads * (layers_[l].head_dim_k + v_dim) * elem_bytes(type_);
  }
  return total;
}

bool KvCache::can_truncate(uint32_t n_past, uint32_t keep) const {
  for (size_t l = 0; l < layers_.size(); ++l) {
    int64_t window = layers_[l].sliding_window;
    if (!window || rows_[l] >= capacity_) continue;  // a row per position: nothing overwritten
    // Positions below n_past - rows were overwritten; a query at `keep` reads back to keep - window.
    if (int64_t(n_past) - rows_[l] > int64_t(keep) - window) return false;
  }
  return true;
}

}  // namespace rbee
