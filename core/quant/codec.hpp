#pragma once
// Internals shared by the per-family encoders/decoders (not part of the public API).
#include <algorithm>
#include <cstdint>
#include <cstring>

#include "util/dtype.hpp"
#include "util/float_convert.hpp"
#include "util/half.hpp"

namespace rbee::quant::detail {

// Encodes/decodes nblocks consecutive blocks of one type.
struct Codec {
  void (*quantize)(const float* x, uint8_t* y, uint64_t nblocks);
  void (*dequantize)(const uint8_t* x, float* y, uint64_t nblocks);
};

// The codec of type within each family, or nullptr when the family does not hold it.
const Codec* float_codec(DType type);      // F32, F16, BF16
const Codec* legacy_codec(DType type);     // Q4_0, Q4_1, Q5_0, Q5_1, Q8_0
const Codec* k_quant_codec(DType type);    // Q2_K .. Q6_K
const Codec* nonlinear_codec(DType type);  // IQ4_NL, MXFP4

inline float load_f16(const uint8_t* p) {
  uint16_t h;
  std::memcpy(&h, p, 2);
  return f16_to_f32(h);
}
inline void store_f16(uint8_t* p, float v) {
  const uint16_t h = f32_to_f16(v);
  std::memcpy(p, &h, 2);
}

// ggml's nearest_int: round half to even through the 1.5*2^23 trick. The clamp keeps the
// trick valid for out-of-range input, which ggml only asserts against.
inline int nearest_int(float f) {
  const float v = std::clamp(f, -4194303.f, 4194303.f) + 12582912.f;
  uint32_t i;
  std::memcpy(&i, &v, 4);
  return int(i & 0x007fffffu) - 0x00400000;
}

}  // namespace rbee::quant::detail
