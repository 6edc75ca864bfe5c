#pragma once
#include <memory>
#include <vector>

#include "rbee/plugin.h"
#include "vulkan/buffer.hpp"

namespace rbee {

enum class KvType { F16, F32 };

// Keys and values of every layer for `capacity` positions, on the device:
// layer l holds K [capacity][n_kv_heads * head_dim_k] and V [capacity][n_kv_heads * head_dim_v].
class KvCache {
 public:
  KvCache(const vk::Device& device, const std::vector<rbee_kv_layout>& layers, uint32_t capacity, KvType type);

  uint32_t capacity() const { return capacity_; }
  KvType type() const { return type_; }
  size_t n_layers() const { return layers_.size(); }
  const rbee_kv_layout& layout(size_t layer) const { return layers_.at(layer); }
  const vk::Buffer& keys(size_t layer) const { return *k_.at(layer); }
  const vk::Buffer& values(size_t layer) const { return *v_.at(layer); }
  uint64_t bytes_per_token() const;

 private:
  std::vector<rbee_kv_layout> layers_;
  uint32_t capacity_;
  KvType type_;
  std::vector<std::unique_ptr<vk::Buffer>> k_, v_;
};

}  // namespace rbee
