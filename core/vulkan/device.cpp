#include "vulkan/device.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>

#include <unistd.h>

#include <spdlog/spdlog.h>

#include "vulkan/error.hpp"

namespace rbee::vk {
namespace {

int type_rank(VkPhysicalDeviceType type) {
  switch (type) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return 0;
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return 1;
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return 2;
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return 3;
    default: return 4;
  }
}

const char* type_name(VkPhysicalDeviceType type) {
  switch (type) {
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: return "discrete";
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: return "integrated";
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: return "virtual";
    case VK_PHYSICAL_DEVICE_TYPE_CPU: return "cpu";
    default: return "other";
  }
}

std::string version_string(uint32_t v) {
  return std::to_string(VK_API_VERSION_MAJOR(v)) + "." + std::to_string(VK_API_VERSION_MINOR(v)) +
         "." + std::to_string(VK_API_VERSION_PATCH(v));
}

bool has_extension(VkPhysicalDevice dev, const char* name) {
  uint32_t n = 0;
  vkEnumerateDeviceExtensionProperties(dev, nullptr, &n, nullptr);
  std::vector<VkExtensionProperties> exts(n);
  vkEnumerateDeviceExtensionProperties(dev, nullptr, &n, exts.data());
  return std::any_of(exts.begin(), exts.end(),
                     [&](const VkExtensionProperties& e) { return std::strcmp(e.extensionName, name) == 0; });
}

std::optional<uint32_t> compute_queue_family(VkPhysicalDevice dev) {
  uint32_t n = 0;
  vkGetPhysicalDeviceQueueFamilyProperties(dev, &n, nullptr);
  std::vector<VkQueueFamilyProperties> families(n);
  vkGetPhysicalDeviceQueueFamilyProperties(dev, &n, families.data());
  // Prefer a compute queue without graphics (dedicated compute engines on discrete GPUs).
  std::optional<uint32_t> any;
  for (uint32_t i = 0; i < n; ++i) {
    if (!(families[i].queueFlags & VK_QUEUE_COMPUTE_BIT)) continue;
    if (!(families[i].queueFlags & VK_QUEUE_GRAPHICS_BIT)) return i;
    if (!any) any = i;
  }
  return any;
}

DeviceInfo describe(VkPhysicalDevice dev, uint32_t index) {
  VkPhysicalDeviceSubgroupProperties subgroup{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES};
  VkPhysicalDeviceDriverProperties driver{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES};
  driver.pNext = &subgroup;
  VkPhysicalDeviceProperties2 props{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2};
  props.pNext = &driver;
  vkGetPhysicalDeviceProperties2(dev, &props);

  VkPhysicalDeviceVulkan12Features f12{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES};
  VkPhysicalDeviceFeatures2 features{VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2};
  features.pNext = &f12;
  vkGetPhysicalDeviceFeatures2(dev, &features);

  VkPhysicalDeviceMemoryProperties mem;
  vkGetPhysicalDeviceMemoryProperties(dev, &mem);

  DeviceInfo info;
  info.index = index;
  info.name = props.properties.deviceName;
  info.type = type_name(props.properties.deviceType);
  info.driver = std::string(driver.driverName) + " " + driver.driverInfo;
  info.api_version = version_string(props.properties.apiVersion);
  for (uint32_t i = 0; i < mem.memoryHeapCount; ++i)
    if (mem.memoryHeaps[i].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT)
      info.device_local_bytes = std::max<uint64_t>(info.device_local_bytes, mem.memoryHeaps[i].size);
  info.subgroup_size = subgroup.subgroupSize;
  info.subgroup_arithmetic = (subgroup.supportedOperations & VK_SUBGROUP_FEATURE_ARITHMETIC_BIT) &&
                             (subgroup.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT);
  info.subgroup_shuffle = (subgroup.supportedOperations & VK_SUBGROUP_FEATURE_SHUFFLE_BIT) &&
                          (subgroup.supportedStages & VK_SHADER_STAGE_COMPUTE_BIT);
  info.max_workgroup_invocations = props.properties.limits.maxComputeWorkGroupInvocations;
  info.max_storage_buffer_range = props.properties.limits.maxStorageBufferRange;
  info.float16 = f12.shaderFloat16;
  info.int8 = f12.shaderInt8;
  info.cooperative_matrix = has_extension(dev, "VK_KHR_cooperative_matrix") ||
                            has_extension(dev, "VK_NV_cooperative_matrix");
  info.timestamps = props.properties.limits.timestampComputeAndGraphics;
  return info;
}

std::filesystem::path cache_dir() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) return std::filesystem::path(xdg) / "rbee";
  if (const char* home = std::getenv("HOME"); home && *home) return std::filesystem::path(home) / ".cache" / "rbee";
  return {};
}

// Reads a saved cache only if its header is Vulkan's version-one header for this very device
// and driver; anything else (truncated, other GPU, other driver build) is ignored.
std::vector<char> load_cache(const std::filesystem::path& path, const VkPhysicalDeviceProperties& props) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::vector<char> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  VkPipelineCacheHeaderVersionOne header;
  if (data.size() < sizeof header) return {};
  std::memcpy(&header, data.data(), sizeof header);
  if (header.headerSize < sizeof header || header.headerVersion != VK_PIPELINE_CACHE_HEADER_VERSION_ONE ||
      header.vendorID != props.vendorID || header.deviceID != props.deviceID ||
      std::memcmp(header.pipelineCacheUUID, props.pipelineCacheUUID, VK_UUID_SIZE) != 0)
    return {};
  return data;
}

}  // namespace

Instance::Instance() {
  VkApplicationInfo app{VK_STRUCTURE_TYPE_APPLICATION_INFO};
  app.pApplicationName = "rbee";
  app.pEngineName = "rbee";
  app.apiVersion = VK_API_VERSION_1_2;
  VkInstanceCreateInfo ci{VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO};
  ci.pApplicationInfo = &app;
  VkResult r = vkCreateInstance(&ci, nullptr, &instance_);
  if (r != VK_SUCCESS)
    throw VulkanError(std::string("cannot create a Vulkan instance (") + result_name(r) +
                      "): is a Vulkan driver installed? (Mesa's lavapipe: package mesa-vulkan-drivers)");
  uint32_t n = 0;
  vkEnumeratePhysicalDevices(instance_, &n, nullptr);
  physical_.resize(n);
  vkEnumeratePhysicalDevices(instance_, &n, physical_.data());
  // rbee's shaders need Vulkan 1.2 (storage buffer and subgroup features it relies on).
  std::erase_if(physical_, [](VkPhysicalDevice d) {
    VkPhysicalDeviceProperties p;
    vkGetPhysicalDeviceProperties(d, &p);
    return p.apiVersion < VK_API_VERSION_1_2 || !compute_queue_family(d);
  });
  if (physical_.empty()) {
    vkDestroyInstance(instance_, nullptr);
    throw VulkanError("no Vulkan 1.2 device with a compute queue was found");
  }
}

Instance::~Instance() { vkDestroyInstance(instance_, nullptr); }

std::vector<DeviceInfo> Instance::describe_devices() const {
  std::vector<DeviceInfo> out;
  for (uint32_t i = 0; i < physical_.size(); ++i) out.push_back(describe(physical_[i], i));
  return out;
}

uint32_t Instance::best_device() const {
  uint32_t best = 0;
  int best_rank = 99;
  for (uint32_t i = 0; i < physical_.size(); ++i) {
    VkPhysicalDeviceProperties p;
    vkGetPhysicalDeviceProperties(physical_[i], &p);
    if (type_rank(p.deviceType) < best_rank) {
      best_rank = type_rank(p.deviceType);
      best = i;
    }
  }
  return best;
}

Device::Device(std::shared_ptr<Instance> instance, int index) : instance_(std::move(instance)) {
  const auto& devices = instance_->physical_devices();
  uint32_t chosen = index < 0 ? instance_->best_device() : static_cast<uint32_t>(index);
  if (chosen >= devices.size())
    throw VulkanError("device " + std::to_string(index) + " does not exist; " + std::to_string(devices.size()) +
                      " usable device(s) (see `rbee devices`)");
  physical_ = devices[chosen];
  info_ = describe(physical_, chosen);
  VkPhysicalDeviceProperties props;
  vkGetPhysicalDeviceProperties(physical_, &props);
  limits_ = props.limits;
  vkGetPhysicalDeviceMemoryProperties(physical_, &memory_);
  queue_family_ = *compute_queue_family(physical_);

  float priority = 1.0f;
  VkDeviceQueueCreateInfo qci{VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO};
  qci.queueFamilyIndex = queue_family_;
  qci.queueCount = 1;
  qci.pQueuePriorities = &priority;
  VkDeviceCreateInfo dci{VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO};
  dci.queueCreateInfoCount = 1;
  dci.pQueueCreateInfos = &qci;
  check(vkCreateDevice(physical_, &dci, nullptr, &device_), "vkCreateDevice");
  vkGetDeviceQueue(device_, queue_family_, 0, &queue_);

  VkCommandPoolCreateInfo pci{VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO};
  pci.flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT;
  pci.queueFamilyIndex = queue_family_;
  check(vkCreateCommandPool(device_, &pci, nullptr, &pool_), "vkCreateCommandPool");

  std::vector<char> saved;
  if (auto dir = cache_dir(); !dir.empty()) {
    char uuid[2 * VK_UUID_SIZE + 1];
    for (uint32_t i = 0; i < VK_UUID_SIZE; ++i) std::snprintf(uuid + 2 * i, 3, "%02x", props.pipelineCacheUUID[i]);
    cache_path_ = dir / ("pipelines-" + std::to_string(props.vendorID) + "-" + std::to_string(props.deviceID) +
                         "-" + uuid + ".bin");
    saved = load_cache(cache_path_, props);
  }
  VkPipelineCacheCreateInfo cci{VK_STRUCTURE_TYPE_PIPELINE_CACHE_CREATE_INFO};
  cci.initialDataSize = saved.size();
  cci.pInitialData = saved.empty() ? nullptr : saved.data();
  check(vkCreatePipelineCache(device_, &cci, nullptr, &cache_), "vkCreatePipelineCache");
  spdlog::debug("vulkan: using device {} ({}, {})", info_.name, info_.type, info_.driver);
}

void Device::save_pipeline_cache() const {
  if (cache_path_.empty()) return;
  size_t size = 0;
  if (vkGetPipelineCacheData(device_, cache_, &size, nullptr) != VK_SUCCESS || size == 0) return;
  std::vector<char> data(size);
  if (vkGetPipelineCacheData(device_, cache_, &size, data.data()) != VK_SUCCESS) return;
  std::error_code ec;
  std::filesystem::create_directories(cache_path_.parent_path(), ec);
  // Write then rename, so that concurrent processes never read a half-written cache.
  auto tmp = cache_path_;
  tmp += "." + std::to_string(::getpid()) + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary);
    if (!out) return;
    out.write(data.data(), static_cast<std::streamsize>(size));
    if (!out) return;
  }
  std::filesystem::rename(tmp, cache_path_, ec);
  if (ec) std::filesystem::remove(tmp, ec);
}

Device::~Device() {
  if (device_ == VK_NULL_HANDLE) return;
  vkDeviceWaitIdle(device_);
  save_pipeline_cache();
  vkDestroyPipelineCache(device_, cache_, nullptr);
  vkDestroyCommandPool(device_, pool_, nullptr);
  vkDestroyDevice(device_, nullptr);
}

}  // namespace rbee::vk
