#include "graph/device_weights.hpp"

#include <cstring>

#include "util/half.hpp"

namespace rbee {

DeviceWeights::DeviceWeights(const vk::Device& device, vk::Uploader& uploader) : device_(device), uploader_(uploader) {}

const vk::Buffer& DeviceWeights::stored(const TensorView& t) {
  auto& slot = buffers_[{&t, false}];
  if (!slot) {
    // Shaders read whole 32-bit words: a 16-bit tensor of odd length needs its last word.
    uint64_t padded = (t.nbytes + 3) / 4 * 4;
    slot = std::make_unique<vk::Buffer>(device_, padded, vk::MemoryKind::Device, "tensor " + t.name);
    uploader_.upload(t.data, t.nbytes, *slot);
    bytes_ += t.nbytes;
    if (progress_) progress_(bytes_);
  }
  return *slot;
}

const vk::Buffer& DeviceWeights::stacked(const std::vector<const TensorView*>& parts) {
  auto& slot = stacks_[parts];
  if (!slot) {
    uint64_t part = parts.at(0)->nbytes, total = part * parts.size();
    slot = std::make_unique<vk::Buffer>(device_, (total + 3) / 4 * 4, vk::MemoryKind::Device, "experts " + parts[0]->name);
    for (size_t i = 0; i < parts.size(); ++i) {
      uploader_.upload(parts[i]->data, part, *slot, i * part);
      bytes_ += part;
      if (progress_) progress_(bytes_);
    }
  }
  return *slot;
}

namespace {

float element(const TensorView& t, uint64_t i) {
  if (t.dtype == DType::F32) {
    float f;
    std::memcpy(&f, t.data + i * 4, 4);
    return f;
  }
  uint16_t h;
  std::memcpy(&h, t.data + i * 2, 2);
  return t.dtype == DType::BF16 ? bf16_to_f32(h) : f16_to_f32(h);
}

}  // namespace

const vk::Buffer& DeviceWeights::head_cut(const TensorView& t, uint32_t n_heads, const HeadCut& cut) {
  auto& slot = cuts_[{&t, cut}];
  if (slot) return *slot;
  const uint64_t cols = t.shape.at(1), rows = t.shape.at(0);
  if (!cut.transposed) {
    // Whole rows (quantized rows are whole blocks): one copy per head.
    const uint64_t row_bytes = t.nbytes / rows, head_bytes = cut.count * row_bytes;
    slot = std::make_unique<vk::Buffer>(device_, (n_heads * head_bytes + 3) / 4 * 4, vk::MemoryKind::Device, "heads of " + t.name);
    for (uint32_t h = 0; h < n_heads; ++h)
      uploader_.upload(t.data + (uint64_t(h) * cut.rows_per_head + cut.begin) * row_bytes, head_bytes, *slot, h * head_bytes);
  } else {
    const uint64_t head_floats = cols * cut.count;
    slot = std::make_unique<vk::Buffer>(device_, n_heads * head_floats * 4, vk::MemoryKind::Device, "heads of " + t.name);
    uploader_.upload_generated(n_heads * head_floats * 4, *slot, 0, [&](void* out, uint64_t offset, uint64_t bytes) {
      auto* dst = static_cast<float*>(out);
      for (uint64_t i = offset / 4; i < (offset + bytes) / 4; ++i) {
        // out[h][c][j] = t[h * rows_per_head + begin + j][c]
        uint64_t h = i / head_floats, c = i % head_floats / cut.count, j = i % cut.count;
        dst[i - offset / 4] = element(t, (h * cut.rows_per_head + cut.begin + j) * cols + c);
      }
    });
  }
  bytes_ += uint64_t(n_heads) * cut.count * (t.nbytes / rows);
  if (progress_) progress_(bytes_);
  return *slot;
}

const vk::Buffer& DeviceWeights::as_f32(const TensorView& t) {
  if (t.dtype == DType::F32) return stored(t);
  auto& slot = buffers_[{&t, true}];
  if (!slot) {
    uint64_t n = t.elements();
    slot = std::make_unique<vk::Buffer>(device_, n * 4, vk::MemoryKind::Device, "tensor " + t.name);
    const auto* src = reinterpret_cast<const uint8_t*>(t.data);
    bool bf16 = t.dtype == DType::BF16;
    uploader_.upload_generated(n * 4, *slot, 0, [&](void* out, uint64_t offset, uint64_t bytes) {
      auto* dst = static_cast<float*>(out);
      for (uint64_t i = 0; i < bytes / 4; ++i) {
        uint16_t h;
        std::memcpy(&h, src + (offset / 4 + i) * 2, 2);
        dst[i] = bf16 ? bf16_to_f32(h) : f16_to_f32(h);
      }
    });
    bytes_ += t.nbytes;
    if (progress_) progress_(bytes_);
  }
  return *slot;
}

}  // namespace rbee
