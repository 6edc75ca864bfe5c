// F32, F16, BF16: one element per "block", little-endian.
#include "quant/codec.hpp"

namespace rbee::quant::detail {
namespace {

void quantize_f32(const float* x, uint8_t* y, uint64_t n) { std::memcpy(y, x, n * 4); }
void dequantize_f32(const uint8_t* x, float* y, uint64_t n) { std::memcpy(y, x, n * 4); }

void quantize_f16(const float* x, uint8_t* y, uint64_t n) {
  for (uint64_t i = 0; i < n; ++i) store_f16(y + 2 * i, x[i]);
}
void dequantize_f16(const uint8_t* x, float* y, uint64_t n) {
  for (uint64_t i = 0; i < n; ++i) y[i] = load_f16(x + 2 * i);
}

void quantize_bf16(const float* x, uint8_t* y, uint64_t n) {
  for (uint64_t i = 0; i < n; ++i) {
    const uint16_t b = f32_to_bf16(x[i]);
    std::memcpy(y + 2 * i, &b, 2);
  }
}
void dequantize_bf16(const uint8_t* x, float* y, uint64_t n) {
  for (uint64_t i = 0; i < n; ++i) {
    uint16_t b;
    std::memcpy(&b, x + 2 * i, 2);
    y[i] = bf16_to_f32(b);
  }
}

constexpr Codec kF32{quantize_f32, dequantize_f32};
constexpr Codec kF16{quantize_f16, dequantize_f16};
constexpr Codec kBF16{quantize_bf16, dequantize_bf16};

}  // namespace

const Codec* float_codec(DType type) {
  switch (type) {
    case DType::F32: return &kF32;
    case DType::F16: return &kF16;
    case DType::BF16: return &kBF16;
    default: return nullptr;
  }
}

}  // namespace rbee::quant::detail
