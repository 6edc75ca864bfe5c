#pragma once
#include <bit>
#include <cmath>
#include <cstdint>

namespace rbee::quant {

// float to IEEE binary16, round to nearest even (as ggml's GGML_FP32_TO_FP16): values from
// 65520 up become infinity, values below 2^-14 become subnormals, NaN stays a (quiet) NaN.
inline uint16_t f32_to_f16(float f) {
  const uint32_t w = std::bit_cast<uint32_t>(f);
  const uint16_t sign = uint16_t((w >> 16) & 0x8000u);
  const uint32_t a = w & 0x7fffffffu;
  if (a > 0x7f800000u) return sign | 0x7e00u;
  if (a >= 0x477ff000u) return sign | 0x7c00u;
  if (a >= 0x38800000u) {  // normal half: rebias the exponent, round away the 13 low bits
    const uint32_t r = a - 0x38000000u;
    return sign | uint16_t((r + 0x0fffu + ((r >> 13) & 1u)) >> 13);
  }
  // Subnormal half: the value in units of 2^-24 (exact in float), rounded to nearest even;
  // 1024 units is the smallest normal, whose encoding is the same number.
  return sign | uint16_t(std::nearbyint(std::bit_cast<float>(a) * 0x1p24f));
}

// float to bfloat16, round to nearest even (as ggml's GGML_FP32_TO_BF16); NaN stays NaN.
inline uint16_t f32_to_bf16(float f) {
  const uint32_t w = std::bit_cast<uint32_t>(f);
  if ((w & 0x7fffffffu) > 0x7f800000u) return uint16_t((w >> 16) | 0x40u);
  return uint16_t((w + 0x7fffu + ((w >> 16) & 1u)) >> 16);
}

}  // namespace rbee::quant
