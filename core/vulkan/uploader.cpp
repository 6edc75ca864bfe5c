#include "vulkan/uploader.hpp"

#include <algorithm>
#include <cstring>

namespace rbee::vk {

Uploader::Uploader(const Device& device, uint64_t staging_bytes)
    : device_(device), staging_(device, staging_bytes, MemoryKind::Upload, "the upload staging buffer"), cmd_(device) {}

void Uploader::upload(const void* src, uint64_t size, const Buffer& dst, uint64_t dst_offset) {
  const auto* bytes = static_cast<const uint8_t*>(src);
  upload_generated(size, dst, dst_offset,
                   [bytes](void* out, uint64_t offset, uint64_t n) { std::memcpy(out, bytes + offset, n); });
}

void Uploader::upload_generated(uint64_t size, const Buffer& dst, uint64_t dst_offset,
                                const std::function<void(void*, uint64_t, uint64_t)>& fill) {
  for (uint64_t done = 0; done < size;) {
    uint64_t n = std::min(size - done, staging_.size());
    fill(staging_.mapped(), done, n);
    cmd_.begin(true);
    cmd_.copy(staging_.handle(), 0, dst.handle(), dst_offset + done, n);
    cmd_.end();
    cmd_.submit_and_wait();
    done += n;
  }
}

void Uploader::download(const Buffer& src, uint64_t src_offset, void* dst, uint64_t size) {
  auto* out = static_cast<uint8_t*>(dst);
  for (uint64_t done = 0; done < size;) {
    uint64_t n = std::min(size - done, staging_.size());
    cmd_.begin(true);
    cmd_.copy(src.handle(), src_offset + done, staging_.handle(), 0, n);
    cmd_.barrier();
    cmd_.end();
    cmd_.submit_and_wait();
    std::memcpy(out + done, staging_.mapped(), n);
    done += n;
  }
}

}  // namespace rbee::vk
