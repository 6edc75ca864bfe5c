#pragma once
#include <cstdint>
#include <vector>

#include <vulkan/vulkan.h>

namespace rbee {

// Where a recorded pass needs barriers. Work recorded since the last barrier may run in any
// order or at once, so a dispatch or copy must come after a barrier when it touches bytes that
// work wrote, or writes bytes that work touched; otherwise it runs beside that work.
class HazardTracker {
 public:
  struct Access {
    VkBuffer buffer;
    uint64_t offset, size;
    bool write;
  };
  // Whether work with these accesses must wait for the work since the last barrier.
  bool conflicts(const std::vector<Access>& next) const;
  // Work with these accesses was recorded (after the last barrier).
  void add(const std::vector<Access>& next) { pending_.insert(pending_.end(), next.begin(), next.end()); }
  void barrier() { pending_.clear(); }

 private:
  std::vector<Access> pending_;
};

}  // namespace rbee
