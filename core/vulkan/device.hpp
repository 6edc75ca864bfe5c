#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <vulkan/vulkan.h>

namespace rbee::vk {

// What `rbee devices` shows and what device selection looks at.
struct DeviceInfo {
  uint32_t index = 0;
  std::string name;
  std::string type;  // "discrete", "integrated", "virtual", "cpu", "other"
  std::string driver;
  std::string api_version;
  uint64_t device_local_bytes = 0;  // largest device-local heap
  uint32_t subgroup_size = 0;
  bool subgroup_arithmetic = false;  // subgroupAdd & co. in compute shaders
  bool subgroup_shuffle = false;     // subgroupShuffle in compute shaders
  uint32_t max_workgroup_invocations = 0;
  uint64_t max_storage_buffer_range = 0;  // the most bytes one storage-buffer binding may span
  bool float16 = false;
  bool int8 = false;
  bool cooperative_matrix = false;  // VK_KHR_ or VK_NV_cooperative_matrix
  bool timestamps = false;
};

// Owns the Vulkan instance. One per process is enough.
class Instance {
 public:
  Instance();
  ~Instance();
  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;

  VkInstance handle() const { return instance_; }
  const std::vector<VkPhysicalDevice>& physical_devices() const { return physical_; }
  std::vector<DeviceInfo> describe_devices() const;
  // discrete > integrated > virtual > CPU implementation; ties keep the lower index.
  uint32_t best_device() const;

 private:
  VkInstance instance_ = VK_NULL_HANDLE;
  std::vector<VkPhysicalDevice> physical_;
};

// A logical device with one compute queue, a command pool and a pipeline cache persisted on
// disk. All work of rbee on one GPU goes through one Device.
class Device {
 public:
  // index < 0 picks Instance::best_device().
  Device(std::shared_ptr<Instance> instance, int index);
  ~Device();
  Device(const Device&) = delete;
  Device& operator=(const Device&) = delete;

  VkDevice handle() const { return device_; }
  VkPhysicalDevice physical() const { return physical_; }
  VkQueue queue() const { return queue_; }
  uint32_t queue_family() const { return queue_family_; }
  VkCommandPool command_pool() const { return pool_; }
  VkPipelineCache pipeline_cache() const { return cache_; }
  const DeviceInfo& info() const { return info_; }
  const VkPhysicalDeviceLimits& limits() const { return limits_; }
  const VkPhysicalDeviceMemoryProperties& memory() const { return memory_; }
  float timestamp_period_ns() const { return limits_.timestampPeriod; }

  // Writes the pipeline cache back to disk (also done on destruction).
  void save_pipeline_cache() const;

 private:
  std::shared_ptr<Instance> instance_;
  VkPhysicalDevice physical_ = VK_NULL_HANDLE;
  VkDevice device_ = VK_NULL_HANDLE;
  VkQueue queue_ = VK_NULL_HANDLE;
  uint32_t queue_family_ = 0;
  VkCommandPool pool_ = VK_NULL_HANDLE;
  VkPipelineCache cache_ = VK_NULL_HANDLE;
  std::filesystem::path cache_path_;
  DeviceInfo info_;
  VkPhysicalDeviceLimits limits_{};
  VkPhysicalDeviceMemoryProperties memory_{};
};

}  // namespace rbee::vk
