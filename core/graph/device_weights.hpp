#pragma once
#include <functional>
#include <map>
#include <memory>
#include <utility>

#include "formats/model_source.hpp"
#include "graph/graph.hpp"
#include "vulkan/buffer.hpp"
#include "vulkan/uploader.hpp"

namespace rbee {

// Device copies of a model's weights, uploaded on first use through the streaming uploader.
// A weight is kept in its stored type for matmul/embedding, or widened to float32 where an op
// reads it as a vector (norm weights, biases).
class DeviceWeights {
 public:
  DeviceWeights(const vk::Device& device, vk::Uploader& uploader);

  const vk::Buffer& stored(const TensorView& t);
  // The size of stored(t)'s buffer, known without uploading it.
  static uint64_t stored_size(const TensorView& t);
  const vk::Buffer& as_f32(const TensorView& t);
  // Tensors of one type and shape (experts' weights stored one per tensor) back to back in one
  // buffer, in their stored type.
  const vk::Buffer& stacked(const std::vector<const TensorView*>& parts);
  // The size of stacked()'s buffer for `count` parts of part_bytes each.
  static uint64_t stacked_size(uint64_t part_bytes, size_t count) { return (part_bytes * count + 3) / 4 * 4; }
  // Per-head matrices cut from t (see HeadCut; a 3-D t is seen as 2-D [shape0 * shape1, shape2]):
  // [n_heads][count][cols] rows in the stored type,
  // or transposed [n_heads][cols][count] decoded to float32 (any type).
  const vk::Buffer& head_cut(const TensorView& t, uint32_t n_heads, const HeadCut& cut);
  uint64_t bytes_uploaded() const { return bytes_; }
  // progress(bytes uploaded so far) is called after each uploaded tensor.
  void on_upload(std::function<void(uint64_t)> progress) { progress_ = std::move(progress); }

 private:
  const vk::Device& device_;
  vk::Uploader& uploader_;
  std::map<std::pair<const TensorView*, bool>, std::unique_ptr<vk::Buffer>> buffers_;
  std::map<std::vector<const TensorView*>, std::unique_ptr<vk::Buffer>> stacks_;
  std::map<std::pair<const TensorView*, HeadCut>, std::unique_ptr<vk::Buffer>> cuts_;
  uint64_t bytes_ = 0;
  std::function<void(uint64_t)> progress_;
};

}  // namespace rbee
