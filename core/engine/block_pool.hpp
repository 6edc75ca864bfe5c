#pragma once
#include <cstdint>
#include <vector>

namespace rbee {

// The free blocks of a paged KV cache (graph/kv_cache.hpp): sequences take blocks as they grow
// and give them back when they shrink or end.
class BlockPool {
 public:
  explicit BlockPool(uint32_t blocks);

  uint32_t total() const { return total_; }
  uint32_t free() const { return static_cast<uint32_t>(free_.size()); }
  // A free block; throws std::logic_error when none is (callers check free() first).
  uint32_t take();
  void give_back(uint32_t block);

 private:
  uint32_t total_;
  std::vector<uint32_t> free_;  // taken from the back: lowest numbers first
};

}  // namespace rbee
