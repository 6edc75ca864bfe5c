// The 32-element block formats Q4_0, Q4_1, Q5_0, Q5_1 and Q8_0 (ggml's *_ref quantizers).
// Layouts: Q4_0 {f16 d; u8 qs[16]}, Q4_1 {f16 d, m; u8 qs[16]}, Q5_0 {f16 d; u32 qh; u8 qs[16]},
// Q5_1 {f16 d, m; u32 qh; u8 qs[16]}, Q8_0 {f16 d; i8 qs[32]}. Nibble j of qs holds element j
// (low) and j+16 (high); bit j of qh is the fifth bit of element j.
#include <cfloat>
#include <cmath>

#include "quant/codec.hpp"

namespace rbee::quant::detail {
namespace {

constexpr int kBlock = 32;

// The element of largest magnitude, sign kept (first one on ties).
float signed_absmax(const float* x) {
  float amax = 0, max = 0;
  for (int j = 0; j < kBlock; ++j)
    if (amax < std::fabs(x[j])) {
      amax = std::fabs(x[j]);
      max = x[j];
    }
  return max;
}

void min_max(const float* x, float& min, float& max) {
  min = FLT_MAX;
  max = -FLT_MAX;
  for (int j = 0; j < kBlock; ++j) {
    min = std::min(min, x[j]);
    max = std::max(max, x[j]);
  }
}

// Symmetric types: q = trunc(x/d + offset + 0.5), d = signed max / -offset. The product and
// sum are taken in double, which is what ggml gets from its fused multiply-add and what
// gguf-py reproduces.
uint8_t symmetric_level(float x, float id, int offset) {
  const int q = int(int8_t(std::trunc(double(x) * double(id) + (offset + 0.5))));
  return uint8_t(std::clamp(q, 0, 2 * offset - 1));
}

void quantize_q4_0(const float* x, uint8_t* y, uint64_t nb) {
  for (uint64_t i = 0; i < nb; ++i, x += kBlock, y += 18) {
    const float d = signed_absmax(x) / -8;
    const float id = d ? 1.0f / d : 0.0f;
    store_f16(y, d);
    for (int j = 0; j < 16; ++j)
      y[2 + j] = symmetric_level(x[j], id, 8) | uint8_t(symmetric_level(x[j + 16], id, 8) << 4);
  }
}

void dequantize_q4_0(const uint8_t* x, float* y, uint64_t nb) {
  for (uint64_t i = 0; i < nb; ++i, x += 18, y += kBlock) {
    const float d = load_f16(x);
    for (int j = 0; j < 16; ++j) {
      y[j] = ((x[2 + j] & 0x0F) - 8) * d;
      y[j + 16] = ((x[2 + j] >> 4) - 8) * d;
    }
  }
}

// Asymmetric types: q = trunc((x - min)/d + 0.5) with d = (max - min)/nmax.
void quantize_q4_1(const float* x, uint8_t* y, uint64_t nb) {
  for (uint64_t i = 0; i < nb; ++i, x += kBlock, y += 20) {
    float min, max;
    min_max(x, min, max);
    const float d = (max - min) / 15;
    const float id = d ? 1.0f / d : 0.0f;
    store_f16(y, d);
    store_f16(y + 2, min);
    for (int j = 0; j < 16; ++j) {
      const int q0 = std::min(15, int(int8_t((x[j] - min) * id + 0.5f)));
      const int q1 = std::min(15, int(int8_t((x[j + 16] - min) * id + 0.5f)));
      y[4 + j] = uint8_t(q0 | (q1 << 4));
    }
  }
}

void dequantize_q4_1(const uint8_t* x, float* y, uint64_t nb) {
  for (uint64_t i = 0; i < nb; ++i, x += 20, y += kBlock) {
    const float d = load_f16(x), m = load_f16(x + 2);
    for (int j = 0; j < 16; ++j) {
      y[j] = (x[4 + j] & 0x0F) * d + m;
      y[j + 16] = (x[4 + j] >> 4) * d + m;
    }
  }
}

// Packs 32 five-bit levels into qh (fifth bits) and qs (low nibbles).
void pack_5bit(const uint8_t* q, uint8_t* qh, uint8_t* qs) {
  uint32_t h = 0;
  for (int j = 0; j < 16; ++j) {
    qs[j] = uint8_t((q[j] & 0x0F) | ((q[j + 16] & 0x0F) << 4));
    h |= uint32_t(q[j] >> 4) << j;
    h |= uint32_t(q[j + 16] >> 4) << (j + 16);
  }
  std::memcpy(qh, &h, 4);
}

// The 32 five-bit levels of a Q5 block.
void unpack_5bit(const uint8_t* qh, const uint8_t* qs, int* q) {
  uint32_t h;
  std::memcpy(&h, qh, 4);
  for (int j = 0; j < 16; ++j) {
    q[j] = (qs[j] & 0x0F) | int(((h >> j) << 4) & 0x10);
    q[j + 16] = (qs[j] >> 4) | int((h >> (j + 12)) & 0x10);
  }
}

void quantize_q5_0(const float* x, uint8_t* y, uint64_t nb) {
  uint8_t q[kBlock];
  for (uint64_t i = 0; i < nb; ++i, x += kBlock, y += 22) {
    const float d = signed_absmax(x) / -16;
    const float id = d ? 1.0f / d : 0.0f;
    store_f16(y, d);
    for (int j = 0; j < kBlock; ++j) q[j] = symmetric_level(x[j], id, 16);
    pack_5bit(q, y + 2, y + 6);
  }
}

void dequantize_q5_0(const uint8_t* x, float* y, uint64_t nb) {
  int q[kBlock];
  for (uint64_t i = 0; i < nb; ++i, x += 22, y += kBlock) {
    const float d = load_f16(x);
    unpack_5bit(x + 2, x + 6, q);
    for (int j = 0; j < kBlock; ++j) y[j] = (q[j] - 16) * d;
  }
}

void quantize_q5_1(const float* x, uint8_t* y, uint64_t nb) {
  uint8_t q[kBlock];
  for (uint64_t i = 0; i < nb; ++i, x += kBlock, y += 24) {
    float min, max;
    min_max(x, min, max);
    const float d = (max - min) / 31;
    const float id = d ? 1.0f / d : 0.0f;
    store_f16(y, d);
    store_f16(y + 2, min);
    for (int j = 0; j < kBlock; ++j) q[j] = uint8_t(std::min(31, int((x[j] - min) * id + 0.5f)));
    pack_5bit(q, y + 4, y + 8);
  }
}

void dequantize_q5_1(const uint8_t* x, float* y, uint64_t nb) {
  int q[kBlock];
  for (uint64_t i = 0; i < nb; ++i, x += 24, y += kBlock) {
    const float d = load_f16(x), m = load_f16(x + 2);
    unpack_5bit(x + 4, x + 8, q);
    for (int j = 0; j < kBlock; ++j) y[j] = q[j] * d + m;
  }
}

void quantize_q8_0(const float* x, uint8_t* y, uint64_t nb) {
  for (uint64_t i = 0; i < nb; ++i, x += kBlock, y += 34) {
    float amax = 0;
    for (int j = 0; j < kBlock; ++j) amax = std::max(amax, std::fabs(x[j]));
    const float d = amax / 127;
    const float id = d ? 1.0f / d : 0.0f;
    store_f16(y, d);
    for (int j = 0; j < kBlock; ++j) y[2 + j] = uint8_t(int8_t(std::round(x[j] * id)));
  }
}

void dequantize_q8_0(const uint8_t* x, float* y, uint64_t nb) {
  for (uint64_t i = 0; i < nb; ++i, x += 34, y += kBlock) {
    const float d = load_f16(x);
    for (int j = 0; j < kBlock; ++j) y[j] = int8_t(x[2 + j]) * d;
  }
}

constexpr Codec kQ4_0{quantize_q4_0, dequantize_q4_0};
constexpr Codec kQ4_1{quantize_q4_1, dequantize_q4_1};
constexpr Codec kQ5_0{quantize_q5_0, dequantize_q5_0};
constexpr Codec kQ5_1{quantize_q5_1, dequantize_q5_1};
constexpr Codec kQ8_0{quantize_q8_0, dequantize_q8_0};

}  // namespace

const Codec* legacy_codec(DType type) {
  switch (type) {
    case DType::Q4_0: return &kQ4_0;
    case DType::Q4_1: return &kQ4_1;
    case DType::Q5_0: return &kQ5_0;
    case DType::Q5_1: return &kQ5_1;
    case DType::Q8_0: return &kQ8_0;
    default: return nullptr;
  }
}

}  // namespace rbee::quant::detail
