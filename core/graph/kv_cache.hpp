#pragma once
#include <memory>
#include <vector>

#include "rbee/plugin.h"
#include "vulkan/buffer.hpp"
#include "vulkan/kernels.hpp"

namespace rbee {

// The types a KV cache may store its rows as: those its kernels are built for.
using vk::KvType;

// Keys and values of every layer on the device: layer l holds K [rows(l)][n_kv_heads * head_dim_k]
// and V [rows(l)][n_kv_heads * head_dim_v]. Position p lives in row p % rows(l). A full layer
// has a row per position of the context; a sliding-window layer keeps only a ring of
// window + max_batch - 1 rows, enough for every query of one batch to see its window. A layer
// whose values are the first columns of its keys (MLA's latent) has no separate V buffer.
class KvCache {
 public:
  KvCache(const vk::Device& device, const std::vector<rbee_kv_layout>& layers, uint32_t capacity, KvType type,
          uint32_t max_batch);

  uint32_t capacity() const { return capacity_; }  // positions of context
  uint32_t max_batch() const { return max_batch_; }
  KvType type() const { return type_; }
  size_t n_layers() const { return layers_.size(); }
  const rbee_kv_layout& layout(size_t layer) const { return layers_.at(layer); }
  uint32_t rows(size_t layer) const { return rows_.at(layer); }
  const vk::Buffer& keys(size_t layer) const { return *k_.at(layer); }
  // The keys' buffer where the layer's values are in its keys (values_in_keys).
  const vk::Buffer& values(size_t layer) const { return v_.at(layer) ? *v_[layer] : *k_.at(layer); }
  // Bytes of every layer's cache together.
  uint64_t bytes() const;
  // Whether, with positions [0, n_past) written, the first `keep` of them can be kept and the
  // rest forgotten: false where a sliding-window ring has already overwritten a kept position
  // that a query after `keep` would still attend to.
  bool can_truncate(uint32_t n_past, uint32_t keep) const;

 private:
  std::vector<rbee_kv_layout> layers_;
  uint32_t capacity_;
  uint32_t max_batch_;
  KvType type_;
  std::vector<uint32_t> rows_;
  std::vector<std::unique_ptr<vk::Buffer>> k_, v_;
};

}  // namespace rbee
