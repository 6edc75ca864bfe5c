#include "vulkan/buffer.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <optional>

#include "vulkan/error.hpp"

namespace rbee::vk {
namespace {

constexpr uint32_t kMaxHeaps = VK_MAX_MEMORY_HEAPS;
std::array<std::atomic<uint64_t>, kMaxHeaps> g_heap_used{};
std::atomic<uint64_t> g_total_used{0};
std::atomic<uint64_t> g_peak{0};

std::optional<uint32_t> find_type(const VkPhysicalDeviceMemoryProperties& mem, uint32_t allowed,
                                  VkMemoryPropertyFlags required, VkMemoryPropertyFlags preferred) {
  std::optional<uint32_t> fallback;
  for (uint32_t i = 0; i < mem.memoryTypeCount; ++i) {
    if (!(allowed & (1u << i))) continue;
    VkMemoryPropertyFlags flags = mem.memoryTypes[i].propertyFlags;
    if ((flags & required) != required) continue;
    if ((flags & preferred) == preferred) return i;
    if (!fallback) fallback = i;
  }
  return fallback;
}

std::string mib(uint64_t bytes) { return std::to_string((bytes + (1 << 20) - 1) >> 20) + " MiB"; }

}  // namespace

Buffer::Buffer(const Device& device, uint64_t size, MemoryKind kind, const std::string& what)
    : device_(device), size_(std::max<uint64_t>(size, 4)) {
  VkBufferCreateInfo bci{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
  bci.size = size_;
  bci.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT | VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT |
              VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
  bci.sharingMode = VK_SHARING_MODE_EXCLUSIVE;
  check(vkCreateBuffer(device.handle(), &bci, nullptr, &buffer_), "vkCreateBuffer");

  VkMemoryRequirements req;
  vkGetBufferMemoryRequirements(device.handle(), buffer_, &req);
  const auto& mem = device.memory();
  std::optional<uint32_t> type;
  switch (kind) {
    case MemoryKind::Device:
      type = find_type(mem, req.memoryTypeBits, VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, 0);
      if (!type) type = find_type(mem, req.memoryTypeBits, 0, 0);
      break;
    case MemoryKind::Upload:
      type = find_type(mem, req.memoryTypeBits,
                       VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT, 0);
      break;
    case MemoryKind::Readback:
      type = find_type(mem, req.memoryTypeBits,
                       VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT,
                       VK_MEMORY_PROPERTY_HOST_CACHED_BIT);
      break;
  }
  if (!type) {
    vkDestroyBuffer(device.handle(), buffer_, nullptr);
    throw VulkanError("no suitable Vulkan memory type for " + what);
  }
  heap_ = mem.memoryTypes[*type].heapIndex;

  VkMemoryAllocateInfo mai{VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO};
  mai.allocationSize = req.size;
  mai.memoryTypeIndex = *type;
  VkResult r = vkAllocateMemory(device.handle(), &mai, nullptr, &memory_);
  if (r != VK_SUCCESS) {
    vkDestroyBuffer(device.handle(), buffer_, nullptr);
    if (r == VK_ERROR_OUT_OF_DEVICE_MEMORY || r == VK_ERROR_OUT_OF_HOST_MEMORY)
      throw VulkanError("out of device memory allocating " + mib(req.size) + " for " + what + ": heap " +
                        std::to_string(heap_) + " has " + mib(mem.memoryHeaps[heap_].size) + ", of which rbee uses " +
                        mib(g_heap_used[heap_]));
    check(r, "vkAllocateMemory");
  }
  check(vkBindBufferMemory(device.handle(), buffer_, memory_, 0), "vkBindBufferMemory");
  if (mem.memoryTypes[*type].propertyFlags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT)
    check(vkMapMemory(device.handle(), memory_, 0, VK_WHOLE_SIZE, 0, &mapped_), "vkMapMemory");

  g_heap_used[heap_] += req.size;
  uint64_t total = g_total_used += req.size;
  uint64_t peak = g_peak.load();
  while (total > peak && !g_peak.compare_exchange_weak(peak, total)) {
  }
}

Buffer::~Buffer() {
  VkMemoryRequirements req;
  vkGetBufferMemoryRequirements(device_.handle(), buffer_, &req);
  g_heap_used[heap_] -= req.size;
  g_total_used -= req.size;
  vkDestroyBuffer(device_.handle(), buffer_, nullptr);
  vkFreeMemory(device_.handle(), memory_, nullptr);
}

uint64_t peak_device_bytes() { return g_peak.load(); }

}  // namespace rbee::vk
