#include "graph/device_weights.hpp"

#include <cstring>

#include "quant/quant.hpp"
#include "util/half.hpp"

namespace rbee {

DeviceWeights::DeviceWeights(const vk::Device& device, vk::Uploader& uploader) : device_(device), uploader_(uploader) {}

// Shaders read whole 32-bit words (a 16-bit tensor of odd length needs its last word), and
// matmul_rows whole 16-byte texels, up to 31 bytes past the end of a block.
uint64_t DeviceWeights::stored_size(const TensorView& t) { return (t.nbytes + 32 + 15) / 16 * 16; }

const vk::Buffer& DeviceWeights::stored(const TensorView& t) {
  auto& slot = buffers_[{&t, false}];
  if (!slot) {
    slot = std::make_unique<vk::Buffer>(device_, stored_size(t), vk::MemoryKind::Device, "tensor " + t.name);
    uploader_.upload(t.data, t.nbytes, *slot);
    bytes_ += t.nbytes;
    if (progress_) progress_(bytes_);
  }
  return *slot;
}

const vk::Buffer& DeviceWeights::stacked(const std::vector<const TensorView*>& parts) {
  auto& slot = stacks_[parts];
  if (!slot) {
    uint64_t part = parts.at(0)->nbytes;
    slot = std::make_unique<vk::Buffer>(device_, stacked_size(part, parts.size()), vk::MemoryKind::Device,
                                        "stack of " + parts[0]->name);
    for (size_t i = 0; i < parts.size(); ++i) {
      uploader_.upload(parts[i]->data, part, *slot, i * part);
      bytes_ += part;
      if (progress_) progress_(bytes_);
    }
  }
  return *slot;
}

const vk::Buffer& DeviceWeights::head_cut(const TensorView& t, uint32_t n_heads, const HeadCut& cut) {
  auto& slot = cuts_[{&t, cut}];
  if (slot) return *slot;
  // t seen as 2-D [rows, cols] (a 3-D [n, a, b] tensor: [n * a, b]).
  const uint64_t cols = t.shape.back(), rows = t.elements() / cols;
  if (!cut.transposed) {
    // Whole rows (quantized rows are whole blocks): one copy per head.
    const uint64_t row_bytes = t.nbytes / rows, head_bytes = cut.count * row_bytes;
    slot = std::make_unique<vk::Buffer>(device_, (n_heads * head_bytes + 3) / 4 * 4, vk::MemoryKind::Device, "heads of " + t.name);
    for (uint32_t h = 0; h < n_heads; ++h)
      uploader_.upload(t.data + (uint64_t(h) * cut.rows_per_head + cut.begin) * row_bytes, head_bytes, *slot, h * head_bytes);
  } else {
    // Each head's rows decoded to float (any type: quantized rows are whole blocks), then
    // transposed: out[h][c][j] = t[h * rows_per_head + begin + j][c].
    const uint64_t row_bytes = t.nbytes / rows, head_floats = cols * cut.count;
    slot = std::make_unique<vk::Buffer>(device_, n_heads * head_floats * 4, vk::MemoryKind::Device, "heads of " + t.name);
    std::vector<float> rows_f(head_floats), transposed(head_floats);
    for (uint32_t h = 0; h < n_heads; ++h) {
      const uint8_t* src = t.data + (uint64_t(h) * cut.rows_per_head + cut.begin) * row_bytes;
      quant::dequantize(t.dtype, {src, cut.count * row_bytes}, rows_f);
      for (uint64_t j = 0; j < cut.count; ++j)
        for (uint64_t c = 0; c < cols; ++c) transposed[c * cut.count + j] = rows_f[j * cols + c];
      uploader_.upload(transposed.data(), head_floats * 4, *slot, h * head_floats * 4);
    }
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
