#include "vulkan/commands.hpp"

#include <cstdint>
#include <limits>

#include "vulkan/error.hpp"

namespace rbee::vk {

CommandBuffer::CommandBuffer(const Device& device) : device_(device) {
  VkCommandBufferAllocateInfo ai{VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO};
  ai.commandPool = device.command_pool();
  ai.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY;
  ai.commandBufferCount = 1;
  check(vkAllocateCommandBuffers(device.handle(), &ai, &cmd_), "vkAllocateCommandBuffers");
  VkFenceCreateInfo fci{VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
  check(vkCreateFence(device.handle(), &fci, nullptr, &fence_), "vkCreateFence");
}

CommandBuffer::~CommandBuffer() {
  vkDestroyFence(device_.handle(), fence_, nullptr);
  vkFreeCommandBuffers(device_.handle(), device_.command_pool(), 1, &cmd_);
}

void CommandBuffer::begin(bool one_time) {
  check(vkResetCommandBuffer(cmd_, 0), "vkResetCommandBuffer");
  VkCommandBufferBeginInfo bi{VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
  bi.flags = one_time ? VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT : 0;
  check(vkBeginCommandBuffer(cmd_, &bi), "vkBeginCommandBuffer");
}

void CommandBuffer::end() { check(vkEndCommandBuffer(cmd_), "vkEndCommandBuffer"); }

void CommandBuffer::barrier() {
  VkMemoryBarrier mb{VK_STRUCTURE_TYPE_MEMORY_BARRIER};
  mb.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT;
  mb.dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_READ_BIT |
                     VK_ACCESS_TRANSFER_WRITE_BIT | VK_ACCESS_HOST_READ_BIT;
  vkCmdPipelineBarrier(cmd_, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                       VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT | VK_PIPELINE_STAGE_HOST_BIT,
                       0, 1, &mb, 0, nullptr, 0, nullptr);
}

void CommandBuffer::copy(VkBuffer src, uint64_t src_offset, VkBuffer dst, uint64_t dst_offset, uint64_t size) {
  VkBufferCopy region{src_offset, dst_offset, size};
  vkCmdCopyBuffer(cmd_, src, dst, 1, &region);
}

void CommandBuffer::submit_and_wait() {
  VkSubmitInfo si{VK_STRUCTURE_TYPE_SUBMIT_INFO};
  si.commandBufferCount = 1;
  si.pCommandBuffers = &cmd_;
  check(vkResetFences(device_.handle(), 1, &fence_), "vkResetFences");
  check(vkQueueSubmit(device_.queue(), 1, &si, fence_), "vkQueueSubmit");
  check(vkWaitForFences(device_.handle(), 1, &fence_, VK_TRUE, std::numeric_limits<uint64_t>::max()),
        "vkWaitForFences");
}

Timestamps::Timestamps(const Device& device, uint32_t capacity) : device_(device), capacity_(capacity) {
  VkQueryPoolCreateInfo qci{VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO};
  qci.queryType = VK_QUERY_TYPE_TIMESTAMP;
  qci.queryCount = capacity;
  check(vkCreateQueryPool(device.handle(), &qci, nullptr, &pool_), "vkCreateQueryPool");
}

Timestamps::~Timestamps() { vkDestroyQueryPool(device_.handle(), pool_, nullptr); }

void Timestamps::reset(VkCommandBuffer cmd) { vkCmdResetQueryPool(cmd, pool_, 0, capacity_); }

void Timestamps::write(VkCommandBuffer cmd, uint32_t slot) {
  vkCmdWriteTimestamp(cmd, VK_PIPELINE_STAGE_BOTTOM_OF_PIPE_BIT, pool_, slot);
}

std::vector<double> Timestamps::read_ns(uint32_t count) const {
  std::vector<uint64_t> ticks(count);
  check(vkGetQueryPoolResults(device_.handle(), pool_, 0, count, count * sizeof(uint64_t), ticks.data(),
                              sizeof(uint64_t), VK_QUERY_RESULT_64_BIT | VK_QUERY_RESULT_WAIT_BIT),
        "vkGetQueryPoolResults");
  std::vector<double> out;
  for (uint32_t i = 1; i < count; ++i)
    out.push_back(static_cast<double>(ticks[i] - ticks[i - 1]) * device_.timestamp_period_ns());
  return out;
}

}  // namespace rbee::vk
