#pragma once
#include <cstdint>
#include <vector>

#include <vulkan/vulkan.h>

#include "vulkan/device.hpp"

namespace rbee::vk {

// A primary command buffer with its fence: recorded once and submitted any number of times.
class CommandBuffer {
 public:
  explicit CommandBuffer(const Device& device);
  ~CommandBuffer();
  CommandBuffer(const CommandBuffer&) = delete;
  CommandBuffer& operator=(const CommandBuffer&) = delete;

  VkCommandBuffer handle() const { return cmd_; }
  // one_time: for work submitted exactly once (uploads); otherwise reusable.
  void begin(bool one_time);
  void end();
  // Makes writes of earlier dispatches/copies visible to later ones.
  void barrier();
  void copy(VkBuffer src, uint64_t src_offset, VkBuffer dst, uint64_t dst_offset, uint64_t size);
  // Submits and waits for completion.
  void submit_and_wait();

 private:
  const Device& device_;
  VkCommandBuffer cmd_ = VK_NULL_HANDLE;
  VkFence fence_ = VK_NULL_HANDLE;
};

// Timestamp queries around recorded regions, for profiling.
class Timestamps {
 public:
  Timestamps(const Device& device, uint32_t capacity);
  ~Timestamps();
  Timestamps(const Timestamps&) = delete;
  Timestamps& operator=(const Timestamps&) = delete;

  void reset(VkCommandBuffer cmd);
  // Writes timestamp number `slot` after all earlier work.
  void write(VkCommandBuffer cmd, uint32_t slot);
  // Nanoseconds between slots, after the command buffer completed.
  std::vector<double> read_ns(uint32_t count) const;

 private:
  const Device& device_;
  VkQueryPool pool_ = VK_NULL_HANDLE;
  uint32_t capacity_;
};

}  // namespace rbee::vk
