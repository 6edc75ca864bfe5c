// The validation-layer runs' canary: makes one deliberate Vulkan misuse (a buffer of size 0,
// VUID-VkBufferCreateInfo-size-00912) on the first device. Run under VK_INSTANCE_LAYERS=
// VK_LAYER_KHRONOS_validation, the layer must report it ("Validation Error" on stdout); if the
// layer did not load, nothing is reported, this test fails, and the validated suites that depend
// on it do not count as passed.
#include <cstdio>
#include <vector>

#include <vulkan/vulkan.h>

int main() {
  VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
  app.apiVersion = VK_API_VERSION_1_1;
  VkInstanceCreateInfo instance_info{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
  instance_info.pApplicationInfo = &app;
  VkInstance instance = VK_NULL_HANDLE;
  if (vkCreateInstance(&instance_info, nullptr, &instance) != VK_SUCCESS) {
    std::fprintf(stderr, "canary: no Vulkan instance\n");
    return 1;
  }
  uint32_t n = 0;
  vkEnumeratePhysicalDevices(instance, &n, nullptr);
  std::vector<VkPhysicalDevice> devices(n);
  vkEnumeratePhysicalDevices(instance, &n, devices.data());
  if (n == 0) {
    std::fprintf(stderr, "canary: no Vulkan device\n");
    return 1;
  }
  float priority = 1.0f;
  VkDeviceQueueCreateInfo queue{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
  queue.queueCount = 1;
  queue.pQueuePriorities = &priority;
  VkDeviceCreateInfo device_info{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
  device_info.queueCreateInfoCount = 1;
  device_info.pQueueCreateInfos = &queue;
  VkDevice device = VK_NULL_HANDLE;
  if (vkCreateDevice(devices[0], &device_info, nullptr, &device) != VK_SUCCESS) {
    std::fprintf(stderr, "canary: no logical device\n");
    return 1;
  }
  VkBufferCreateInfo misuse{VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO};
  misuse.size = 0;  // invalid on purpose
  misuse.usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
  VkBuffer buffer = VK_NULL_HANDLE;
  if (vkCreateBuffer(device, &misuse, nullptr, &buffer) == VK_SUCCESS && buffer != VK_NULL_HANDLE)
    vkDestroyBuffer(device, buffer, nullptr);
  vkDestroyDevice(device, nullptr);
  vkDestroyInstance(instance, nullptr);
  std::fflush(stdout);
  return 0;
}
