#pragma once
#include <cstdint>
#include <functional>
#include <memory>

#include "vulkan/buffer.hpp"
#include "vulkan/commands.hpp"

namespace rbee::vk {

// Streams host data into device buffers through one fixed-size staging buffer, so that host
// memory in use while loading stays at the staging size whatever the model's size.
class Uploader {
 public:
  explicit Uploader(const Device& device, uint64_t staging_bytes = 64ull << 20);

  // Copies size bytes from src into dst at dst_offset.
  void upload(const void* src, uint64_t size, const Buffer& dst, uint64_t dst_offset = 0);
  // Same, but the bytes are produced chunk by chunk: fill(dst_chunk, offset, bytes) writes
  // `bytes` bytes of the stream starting at `offset` (used to convert types while loading).
  void upload_generated(uint64_t size, const Buffer& dst, uint64_t dst_offset,
                        const std::function<void(void*, uint64_t, uint64_t)>& fill);
  // Copies size bytes from a device buffer back to host memory.
  void download(const Buffer& src, uint64_t src_offset, void* dst, uint64_t size);

 private:
  const Device& device_;
  Buffer staging_;
  CommandBuffer cmd_;
};

}  // namespace rbee::vk
