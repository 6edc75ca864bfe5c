#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "rbee/plugin.h"
#include "vulkan/buffer.hpp"
#include "vulkan/device.hpp"
#include "vulkan/kernels.hpp"

namespace rbee {

// The types a KV cache may store its rows as: those its kernels are built for.
using vk::KvType;

// How much a KV cache holds: sequences (cache slots), each of at most `context` positions, in a
// pool of `blocks` blocks of KvCache::kBlockRows positions (0: enough for every slot's whole
// context), for steps of at most max_batch tokens of one sequence.
struct KvCacheShape {
  uint32_t context = 0;
  uint32_t sequences = 1;
  uint32_t blocks = 0;
  uint32_t max_batch = 1;
  // With blocks 0 and this set: the pool takes as many blocks as this many bytes hold after the
  // sliding-window layers' rings (at most every slot's whole context).
  uint64_t budget_bytes = 0;
};

// What a KV cache of a shape takes, known before anything is allocated (the device-memory check
// and KvCache itself use it): the pool's blocks (the shape's, or what its budget holds after the
// sliding-window rings, at most every slot's whole context) and the bytes of every layer.
struct KvCachePlan {
  uint32_t blocks = 0;
  uint64_t bytes = 0;
};
// Throws std::invalid_argument for a shape without context, sequence or batch, and for a budget
// that holds no block.
KvCachePlan plan_kv_cache(const std::vector<rbee_kv_layout>& layers, const KvCacheShape& shape, KvType type);

// Keys and values of every layer on the device, for several sequences: layer l holds rows of
// K [n_kv_heads * head_dim_k] and V [n_kv_heads * head_dim_v]. Where position p of the
// sequence in slot s lives (shaders/kv_cache.glsl, cache_row):
// - a paged layer's rows are a pool of blocks of kBlockRows rows; the block table gives, per
//   slot, the block of each kBlockRows positions. Every paged layer uses the same table, so a
//   block number stands for those rows in all of them;
// - a sliding-window layer keeps a ring of ring(l) = window + max_batch - 1 rows per slot
//   (enough for every query of a step to see its window): row s * ring(l) + p % ring(l).
// A layer whose values are the first columns of its keys (MLA's latent) has no V buffer.
// The table starts as a static split (slot s: blocks s * table_stride() ...) where the pool is
// large enough for it; an allocator of blocks (engine/block_pool) rewrites it with set_blocks.
class KvCache {
 public:
  static constexpr uint32_t kBlockRows = 16;  // KV_BLOCK in shaders/kv_cache.glsl

  KvCache(const vk::Device& device, const std::vector<rbee_kv_layout>& layers, const KvCacheShape& shape, KvType type);

  uint32_t capacity() const { return shape_.context; }  // positions of context per sequence
  uint32_t sequences() const { return shape_.sequences; }
  uint32_t blocks() const { return shape_.blocks; }
  uint32_t max_batch() const { return shape_.max_batch; }
  KvType type() const { return type_; }
  size_t n_layers() const { return layers_.size(); }
  const rbee_kv_layout& layout(size_t layer) const { return layers_.at(layer); }
  // 0 for a paged layer; else the rows of a sliding-window layer's ring per slot.
  uint32_t ring(size_t layer) const { return ring_.at(layer); }
  // Rows of the layer's buffers: the pool's, or every slot's ring.
  uint32_t rows(size_t layer) const { return ring_.at(layer) ? ring_[layer] * shape_.sequences : shape_.blocks * kBlockRows; }
  bool has_paged_layers() const;
  bool has_ring_layers() const;
  const vk::Buffer& keys(size_t layer) const { return *k_.at(layer); }
  // The keys' buffer where the layer's values are in its keys (values_in_keys).
  const vk::Buffer& values(size_t layer) const { return v_.at(layer) ? *v_[layer] : *k_.at(layer); }
  // The block table: table_stride() block numbers per slot, one per kBlockRows positions.
  const vk::Buffer& block_table() const { return *table_; }
  uint32_t table_stride() const { return (shape_.context + kBlockRows - 1) / kBlockRows; }
  // Sets the blocks holding positions [first * kBlockRows, ...) of slot's sequence.
  void set_blocks(uint32_t slot, uint32_t first, std::span<const uint32_t> blocks);
  // Copies block `from` of every paged layer into block `to` (copy-on-write of a shared block).
  void copy_block(uint32_t from, uint32_t to);
  // Bytes of every layer's cache together, and what one position of one sequence takes (for a
  // sliding-window layer, its ring over a full context).
  uint64_t bytes() const;
  uint64_t bytes_per_position() const;
  // Whether, with positions [0, n_past) of a sequence written, the first `keep` of them can be
  // kept and the rest forgotten: false where a sliding-window ring has already overwritten a
  // kept position that a query after `keep` would still attend to.
  bool can_truncate(uint32_t n_past, uint32_t keep) const;

 private:
  const vk::Device& device_;
  std::vector<rbee_kv_layout> layers_;
  KvCacheShape shape_;
  KvType type_;
  std::vector<uint32_t> ring_;
  std::vector<std::unique_ptr<vk::Buffer>> k_, v_;
  std::unique_ptr<vk::Buffer> table_;
};

}  // namespace rbee
