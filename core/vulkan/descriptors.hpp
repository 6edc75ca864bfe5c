#pragma once
#include <cstdint>
#include <deque>

#include <vulkan/vulkan.h>

#include "vulkan/device.hpp"

namespace rbee::vk {

// A descriptor pool and the buffer views its sets refer to, released together (also when the
// owner's constructor throws half way).
class DescriptorPool {
 public:
  // Room for max_sets sets of at most `storage` storage buffers and `texel` uniform texel
  // buffers each.
  DescriptorPool(const Device& device, uint32_t max_sets, uint32_t storage, uint32_t texel);
  ~DescriptorPool();
  DescriptorPool(const DescriptorPool&) = delete;
  DescriptorPool& operator=(const DescriptorPool&) = delete;

  VkDescriptorSet allocate(VkDescriptorSetLayout layout);
  // A view of buffer[offset, offset + range) as texels of format, alive as long as the pool.
  const VkBufferView* view(VkBuffer buffer, VkFormat format, uint64_t offset, uint64_t range);

 private:
  const Device& device_;
  VkDescriptorPool pool_ = VK_NULL_HANDLE;
  std::deque<VkBufferView> views_;  // a deque: view() hands out pointers that must stay valid
};

}  // namespace rbee::vk
