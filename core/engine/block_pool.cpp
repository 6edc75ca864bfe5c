#include "engine/block_pool.hpp"

#include <stdexcept>
#include <string>

namespace rbee {

BlockPool::BlockPool(uint32_t blocks) : users_(blocks, 0), entries_(blocks) {
  free_.reserve(blocks);
  for (uint32_t b = blocks; b > 0; --b) free_.push_back(b - 1);
}

size_t BlockPool::KeyHash::operator()(const Key& k) const {
  uint64_t h = k.parent * 0x9E3779B97F4A7C15ull;
  for (int32_t t : k.tokens) h = (h ^ static_cast<uint32_t>(t)) * 0x100000001B3ull;
  return static_cast<size_t>(h ^ (h >> 29));
}

uint32_t BlockPool::take() {
  uint32_t b;
  if (!free_.empty()) {
    b = free_.back();
    free_.pop_back();
  } else if (!idle_.empty()) {
    b = idle_.front();
    idle_.pop_front();
    published_.erase(entries_[b].key);
    entries_[b] = Entry{};
  } else {
    throw std::logic_error("BlockPool::take: no block available");
  }
  users_[b] = 1;
  return b;
}

void BlockPool::share(uint32_t block) {
  if (users_.at(block) == 0) {
    if (!entries_[block].serial) throw std::logic_error("BlockPool::share: block " + std::to_string(block) + " is free");
    idle_.erase(entries_[block].idle);
  }
  ++users_[block];
}

void BlockPool::release(uint32_t block) {
  if (users_.at(block) == 0) throw std::logic_error("BlockPool::release: block " + std::to_string(block) + " is unused");
  if (--users_[block] > 0) return;
  if (entries_[block].serial) {
    entries_[block].idle = idle_.insert(idle_.end(), block);
  } else {
    free_.push_back(block);
  }
}

std::optional<uint32_t> BlockPool::find(uint64_t parent, const Tokens& tokens) const {
  auto it = published_.find(Key{parent, tokens});
  if (it == published_.end()) return std::nullopt;
  return it->second;
}

uint64_t BlockPool::publish(uint32_t block, uint64_t parent, const Tokens& tokens) {
  Entry& e = entries_.at(block);
  if (e.serial) return e.serial;
  Key key{parent, tokens};
  auto [it, inserted] = published_.try_emplace(key, block);
  if (!inserted) return entries_[it->second].serial;
  e.serial = next_serial_++;
  e.key = key;
  return e.serial;
}

void BlockPool::forget(uint32_t block) {
  Entry& e = entries_.at(block);
  if (!e.serial) return;
  if (users_[block] == 0) throw std::logic_error("BlockPool::forget: block " + std::to_string(block) + " is unused");
  published_.erase(e.key);
  e = Entry{};
}

}  // namespace rbee
