#include "engine/block_pool.hpp"

#include <stdexcept>
#include <string>

namespace rbee {

BlockPool::BlockPool(uint32_t blocks) : total_(blocks) {
  free_.reserve(blocks);
  for (uint32_t b = blocks; b > 0; --b) free_.push_back(b - 1);
}

uint32_t BlockPool::take() {
  if (free_.empty()) throw std::logic_error("BlockPool::take: no free block");
  uint32_t b = free_.back();
  free_.pop_back();
  return b;
}

void BlockPool::give_back(uint32_t block) {
  if (block >= total_ || free_.size() >= total_)
    throw std::logic_error("BlockPool::give_back: block " + std::to_string(block) + " was not taken");
  free_.push_back(block);
}

}  // namespace rbee
