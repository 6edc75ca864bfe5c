#include "vulkan/descriptors.hpp"

#include "vulkan/error.hpp"

namespace rbee::vk {

DescriptorPool::DescriptorPool(const Device& device, uint32_t max_sets, uint32_t storage, uint32_t texel)
    : device_(device) {
  VkDescriptorPoolSize sizes[] = {{VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, max_sets * storage},
                                  {VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, max_sets * texel}};
  VkDescriptorPoolCreateInfo ci{VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO};
  ci.maxSets = max_sets;
  ci.poolSizeCount = 2;
  ci.pPoolSizes = sizes;
  check(vkCreateDescriptorPool(device.handle(), &ci, nullptr, &pool_), "vkCreateDescriptorPool");
}

DescriptorPool::~DescriptorPool() {
  vkDestroyDescriptorPool(device_.handle(), pool_, nullptr);  // frees its sets
  for (VkBufferView v : views_) vkDestroyBufferView(device_.handle(), v, nullptr);
}

VkDescriptorSet DescriptorPool::allocate(VkDescriptorSetLayout layout) {
  VkDescriptorSetAllocateInfo ai{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO};
  ai.descriptorPool = pool_;
  ai.descriptorSetCount = 1;
  ai.pSetLayouts = &layout;
  VkDescriptorSet set;
  check(vkAllocateDescriptorSets(device_.handle(), &ai, &set), "vkAllocateDescriptorSets");
  return set;
}

const VkBufferView* DescriptorPool::view(VkBuffer buffer, VkFormat format, uint64_t offset, uint64_t range) {
  VkBufferViewCreateInfo ci{VK_STRUCTURE_TYPE_BUFFER_VIEW_CREATE_INFO};
  ci.buffer = buffer;
  ci.format = format;
  ci.offset = offset;
  ci.range = range;
  VkBufferView view;
  check(vkCreateBufferView(device_.handle(), &ci, nullptr, &view), "vkCreateBufferView");
  views_.push_back(view);
  return &views_.back();
}

}  // namespace rbee::vk
