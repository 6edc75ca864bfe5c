#pragma once
// A ModelSource held in memory, for op tests: named F32/F16/BF16 tensors built from floats,
// no metadata. add() returns the values as the device will read them (rounded to the type);
// add_quantized() and add_bytes() hold quantized or other raw tensors.
#include <cstring>
#include <deque>
#include <string>
#include <vector>

#include "formats/model_source.hpp"
#include "quant/quant.hpp"
#include "util/half.hpp"

namespace rbee::test {

// float -> binary16, round to nearest even (what packHalf2x16 does).
inline uint16_t f32_to_f16(float f) {
  _Float16 h = static_cast<_Float16>(f);
  uint16_t bits;
  std::memcpy(&bits, &h, 2);
  return bits;
}
inline float round_to_f16(float f) { return f16_to_f32(f32_to_f16(f)); }
// float -> bfloat16 by truncation: any bf16 value will do, the reference decodes it back.
inline uint16_t f32_to_bf16(float f) {
  uint32_t b;
  std::memcpy(&b, &f, 4);
  return static_cast<uint16_t>(b >> 16);
}

class MemorySource : public ModelSource {
 public:
  Format format() const override { return Format::Gguf; }
  const std::filesystem::path& path() const override { return path_; }
  const nlohmann::json* meta(std::string_view) const override { return nullptr; }
  const std::vector<TensorView>& tensors() const override { return tensors_; }

  // Adds a tensor; returns its values as stored (after rounding to dtype). Do not add tensors
  // once a Graph refers to this source (TensorView addresses must stay put).
  std::vector<float> add(const std::string& name, DType dtype, std::vector<uint64_t> shape, std::vector<float> values) {
    std::vector<uint8_t>& bytes = data_.emplace_back();
    if (dtype == DType::F32) {
      bytes.resize(values.size() * 4);
      std::memcpy(bytes.data(), values.data(), bytes.size());
    } else {
      bytes.resize(values.size() * 2);
      for (size_t i = 0; i < values.size(); ++i) {
        uint16_t h = dtype == DType::F16 ? f32_to_f16(values[i]) : f32_to_bf16(values[i]);
        values[i] = dtype == DType::F16 ? f16_to_f32(h) : bf16_to_f32(h);
        std::memcpy(bytes.data() + 2 * i, &h, 2);
      }
    }
    TensorView t;
    t.name = name;
    t.dtype = dtype;
    t.shape = std::move(shape);
    t.data = bytes.data();
    t.nbytes = bytes.size();
    tensors_.push_back(std::move(t));
    index_tensors();
    return values;
  }

  // Adds a tensor quantized on the CPU (quant::quantize, rows of shape.back() elements, a
  // multiple of the type's block); returns its values as stored (the CPU dequantization).
  std::vector<float> add_quantized(const std::string& name, DType dtype, std::vector<uint64_t> shape,
                                   const std::vector<float>& values) {
    std::vector<uint8_t> bytes(quant::bytes_for(dtype, values.size()));
    quant::quantize(dtype, values, bytes);
    std::vector<float> stored(values.size());
    quant::dequantize(dtype, bytes, stored);
    add_bytes(name, dtype, std::move(shape), std::move(bytes));
    return stored;
  }

  // Adds a tensor stored as the given bytes (any type, quantized blocks included), unchecked.
  void add_bytes(const std::string& name, DType dtype, std::vector<uint64_t> shape, std::vector<uint8_t> bytes) {
    const std::vector<uint8_t>& stored = data_.emplace_back(std::move(bytes));
    TensorView t;
    t.name = name;
    t.dtype = dtype;
    t.shape = std::move(shape);
    t.data = stored.data();
    t.nbytes = stored.size();
    tensors_.push_back(std::move(t));
    index_tensors();
  }

 private:
  std::filesystem::path path_{"memory"};
  std::deque<std::vector<uint8_t>> data_;
  std::vector<TensorView> tensors_;
};

}  // namespace rbee::test
