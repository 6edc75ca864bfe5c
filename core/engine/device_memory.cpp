#include "engine/device_memory.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>

#include "engine/model.hpp"
#include "vulkan/buffer.hpp"

namespace rbee {
namespace {

bool has_memory_budget(VkPhysicalDevice dev) {
  uint32_t n = 0;
  vkEnumerateDeviceExtensionProperties(dev, nullptr, &n, nullptr);
  std::vector<VkExtensionProperties> extensions(n);
  vkEnumerateDeviceExtensionProperties(dev, nullptr, &n, extensions.data());
  return std::any_of(extensions.begin(), extensions.end(), [](const VkExtensionProperties& e) {
    return std::strcmp(e.extensionName, VK_EXT_MEMORY_BUDGET_EXTENSION_NAME) == 0;
  });
}

std::string mib(uint64_t bytes) { return std::to_string((bytes + (1 << 20) - 1) >> 20) + " MiB"; }

}  // namespace

uint64_t peak_device_bytes() { return vk::peak_device_bytes(); }

DeviceRoom device_room(const vk::Device& device) {
  if (device.info().type == "cpu")
    return {uint64_t(sysconf(_SC_PHYS_PAGES)) * uint64_t(sysconf(_SC_PAGE_SIZE)), "host memory, for a CPU device"};
  VkPhysicalDeviceMemoryBudgetPropertiesEXT budget{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_BUDGET_PROPERTIES_EXT};
  VkPhysicalDeviceMemoryProperties2 props{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MEMORY_PROPERTIES_2};
  const bool with_budget = has_memory_budget(device.physical());
  if (with_budget) props.pNext = &budget;
  vkGetPhysicalDeviceMemoryProperties2(device.physical(), &props);
  const VkPhysicalDeviceMemoryProperties& mem = props.memoryProperties;
  std::optional<uint32_t> largest;
  for (uint32_t i = 0; i < mem.memoryHeapCount; ++i)
    if ((mem.memoryHeaps[i].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT) &&
        (!largest || mem.memoryHeaps[i].size > mem.memoryHeaps[*largest].size))
      largest = i;
  if (!largest) return {};
  if (!with_budget) return {mem.memoryHeaps[*largest].size, "the size of its largest device-local heap"};
  // The budget counts what this process already uses.
  const uint64_t total = budget.heapBudget[*largest], used = budget.heapUsage[*largest];
  return {total > used ? total - used : 0, "its memory budget (VK_EXT_memory_budget) less what is in use"};
}

void check_model_fits(const vk::Device& device, const ModelSource& source, uint64_t kv_bytes) {
  uint64_t weight_bytes = 0;
  for (const auto& t : source.tensors()) weight_bytes += t.nbytes;
  const DeviceRoom room = device_room(device);
  if (room.source[0] == '\0' || weight_bytes + kv_bytes <= room.bytes) return;  // no device-local heap: nothing known
  throw ModelError("the KV cache (" + mib(kv_bytes) + ") and the weights (" + mib(weight_bytes) + ") need " +
                   mib(kv_bytes + weight_bytes) + ", more than " + device.info().name + " can hold (" + mib(room.bytes) +
                   ": " + room.source + "): lower --ctx (or, for rbee serve, --parallel or --kv-budget)");
}

}  // namespace rbee
