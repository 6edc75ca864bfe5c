#pragma once
#include <cstdint>
#include <string>

#include <vulkan/vulkan.h>

#include "vulkan/device.hpp"

namespace rbee::vk {

enum class MemoryKind {
  Device,   // device-local: weights, activations, KV cache
  Upload,   // host-visible, written by the CPU each step (token ids, positions), staging
  Readback  // host-visible, preferably cached: results the CPU reads
};

// A VkBuffer with its own memory. Host-visible kinds stay mapped for their lifetime.
class Buffer {
 public:
  Buffer(const Device& device, uint64_t size, MemoryKind kind, const std::string& what);
  ~Buffer();
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  VkBuffer handle() const { return buffer_; }
  uint64_t size() const { return size_; }
  // Non-null for Upload and Readback buffers (and for Device buffers on unified memory).
  void* mapped() const { return mapped_; }

 private:
  const Device& device_;
  VkBuffer buffer_ = VK_NULL_HANDLE;
  VkDeviceMemory memory_ = VK_NULL_HANDLE;
  uint64_t size_ = 0;
  uint32_t heap_ = 0;
  void* mapped_ = nullptr;
};

// The most bytes of Vulkan memory rbee held at once (all heaps and devices): `rbee bench`.
uint64_t peak_device_bytes();

}  // namespace rbee::vk
