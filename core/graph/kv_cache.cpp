#include "graph/kv_cache.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

#include "vulkan/commands.hpp"

namespace rbee {

namespace {
uint64_t elem_bytes(KvType t) { return t == KvType::F16 ? 2 : 4; }
uint64_t key_row_bytes(const rbee_kv_layout& l, KvType t) { return uint64_t(l.n_kv_heads) * l.head_dim_k * elem_bytes(t); }
uint64_t value_row_bytes(const rbee_kv_layout& l, KvType t) {
  return l.values_in_keys ? 0 : uint64_t(l.n_kv_heads) * l.head_dim_v * elem_bytes(t);
}
uint64_t row_bytes(const rbee_kv_layout& l, KvType t) { return key_row_bytes(l, t) + value_row_bytes(l, t); }
// Rows per slot of a sliding-window layer's ring; 0 for a paged layer.
uint32_t ring_rows(const rbee_kv_layout& l, const KvCacheShape& shape) {
  if (!l.sliding_window) return 0;
  return static_cast<uint32_t>(std::min<uint64_t>(shape.context, uint64_t(l.sliding_window) + shape.max_batch - 1));
}
uint32_t table_stride(const KvCacheShape& shape) { return (shape.context + KvCache::kBlockRows - 1) / KvCache::kBlockRows; }
}  // namespace

KvCachePlan plan_kv_cache(const std::vector<rbee_kv_layout>& layers, const KvCacheShape& shape, KvType type) {
  if (shape.context == 0 || shape.sequences == 0 || shape.max_batch == 0)
    throw std::invalid_argument("a KV cache needs a context, a sequence and a batch of at least 1");
  uint64_t rings = 0, block = 0;  // block: one block of rows of every paged layer
  for (const rbee_kv_layout& l : layers) {
    if (const uint32_t ring = ring_rows(l, shape)) rings += row_bytes(l, type) * ring * shape.sequences;
    else block += row_bytes(l, type) * KvCache::kBlockRows;
  }
  const uint64_t whole = uint64_t(shape.sequences) * table_stride(shape);
  uint64_t blocks = shape.blocks ? shape.blocks : whole;
  if (!shape.blocks && shape.budget_bytes && block) {
    const uint64_t fit = shape.budget_bytes > rings ? (shape.budget_bytes - rings) / block : 0;
    if (fit == 0)
      throw std::invalid_argument("a KV budget of " + std::to_string(shape.budget_bytes >> 20) + " MiB holds no block of " +
                                  std::to_string(KvCache::kBlockRows) + " positions (a block takes " + std::to_string(block) +
                                  " bytes" + (rings ? ", after " + std::to_string(rings >> 20) + " MiB of sliding-window rings" : "") + ")");
    blocks = std::min(fit, whole);
  }
  return {static_cast<uint32_t>(blocks), rings + block * blocks};
}

KvCache::KvCache(const vk::Device& device, const std::vector<rbee_kv_layout>& layers, const KvCacheShape& shape,
                 KvType type)
    : device_(device), layers_(layers), shape_(shape), type_(type) {
  shape_.blocks = plan_kv_cache(layers, shape, type).blocks;
  const uint64_t limit = device.info().max_storage_buffer_range;
  for (size_t l = 0; l < layers.size(); ++l) {
    ring_.push_back(ring_rows(layers[l], shape_));
    const uint64_t rows = this->rows(l);
    const uint64_t k_row = key_row_bytes(layers[l], type), v_row = value_row_bytes(layers[l], type);
    // Kernels bind a layer's keys and values whole.
    const uint64_t widest = std::max(k_row, v_row);
    if (widest * rows > limit) {
      const uint64_t fit = limit / widest / kBlockRows * kBlockRows / shape_.sequences;
      throw std::runtime_error("the KV cache of layer " + std::to_string(l) + " needs " + std::to_string(widest * rows) +
                               " bytes in one buffer for " + std::to_string(rows) + " rows, more than this device " +
                               "binds at once (" + std::to_string(limit) + " bytes): use a context of at most " +
                               std::to_string(fit) + " positions" +
                               (shape_.sequences > 1 ? " per sequence, or fewer sequences" : ""));
    }
    k_.push_back(std::make_unique<vk::Buffer>(device, rows * k_row, vk::MemoryKind::Device,
                                              "KV cache keys of layer " + std::to_string(l)));
    v_.push_back(layers[l].values_in_keys ? nullptr  // the keys' buffer serves both
                                          : std::make_unique<vk::Buffer>(device, rows * v_row, vk::MemoryKind::Device,
                                                                         "KV cache values of layer " + std::to_string(l)));
  }
  const uint64_t entries = uint64_t(shape_.sequences) * table_stride();
  table_ = std::make_unique<vk::Buffer>(device, entries * 4, vk::MemoryKind::Upload, "KV block table");
  auto* table = static_cast<uint32_t*>(table_->mapped());
  for (uint64_t i = 0; i < entries; ++i) table[i] = i < shape_.blocks ? static_cast<uint32_t>(i) : 0;
}

bool KvCache::has_paged_layers() const {
  return std::any_of(ring_.begin(), ring_.end(), [](uint32_t r) { return r == 0; });
}

bool KvCache::has_ring_layers() const {
  return std::any_of(ring_.begin(), ring_.end(), [](uint32_t r) { return r != 0; });
}

void KvCache::set_blocks(uint32_t slot, uint32_t first, std::span<const uint32_t> blocks) {
  if (slot >= shape_.sequences || uint64_t(first) + blocks.size() > table_stride())
    throw std::out_of_range("set_blocks: slot " + std::to_string(slot) + " blocks " + std::to_string(first) + "+" +
                            std::to_string(blocks.size()) + " outside the block table");
  for (uint32_t b : blocks)
    if (b >= shape_.blocks) throw std::out_of_range("set_blocks: block " + std::to_string(b) + " outside the pool");
  auto* table = static_cast<uint32_t*>(table_->mapped());
  std::memcpy(table + uint64_t(slot) * table_stride() + first, blocks.data(), blocks.size_bytes());
}

void KvCache::copy_block(uint32_t from, uint32_t to) {
  if (from >= shape_.blocks || to >= shape_.blocks) throw std::out_of_range("copy_block: block outside the pool");
  vk::CommandBuffer cmd(device_);
  cmd.begin(true);
  auto copy = [&](const vk::Buffer& buffer, uint64_t row_bytes) {
    const uint64_t bytes = row_bytes * kBlockRows;
    cmd.copy(buffer.handle(), from * bytes, buffer.handle(), to * bytes, bytes);
  };
  for (size_t l = 0; l < layers_.size(); ++l) {
    if (ring_[l]) continue;
    copy(*k_[l], key_row_bytes(layers_[l], type_));
    if (v_[l]) copy(*v_[l], value_row_bytes(layers_[l], type_));
  }
  cmd.end();
  cmd.submit_and_wait();
}

uint64_t KvCache::bytes() const {
  uint64_t total = 0;
  for (size_t l = 0; l < layers_.size(); ++l)
    total += uint64_t(rows(l)) * row_bytes(layers_[l], type_);
  return total;
}

uint64_t KvCache::bytes_per_position() const {
  uint64_t total = 0;
  for (size_t l = 0; l < layers_.size(); ++l) {
    const uint64_t row = row_bytes(layers_[l], type_);
    total += ring_[l] ? row * ring_[l] / shape_.context : row;
  }
  return total;
}

bool KvCache::can_truncate(uint32_t n_past, uint32_t keep) const {
  for (size_t l = 0; l < layers_.size(); ++l) {
    const int64_t window = layers_[l].sliding_window, ring = ring_[l];
    if (!ring || ring >= shape_.context) continue;  // a row per position: nothing overwritten
    // Positions below n_past - ring were overwritten; a query at `keep` reads back to keep - window.
    if (int64_t(n_past) - ring > int64_t(keep) - window) return false;
  }
  return true;
}

}  // namespace rbee
