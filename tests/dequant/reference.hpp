#pragma once
// CPU reference dequantization of one GGML block, written from ggml's dequantize_row_* (and
// gguf-py's dequantize_blocks) with the same float operations in the same order, so that a
// correct kernel matches it bit for bit. Used for hand-built blocks; real tensors are checked
// against gguf-py's own output in the shared fixtures.
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace rbee::test::quant {

struct BlockFormat {
  std::string name;  // shader suffix: "q4_0"
  uint32_t qk;       // elements per block
  uint32_t bytes;    // bytes per block
};

inline const BlockFormat kFormats[] = {
    {"q8_0", 32, 34},  {"q4_0", 32, 18},  {"q4_1", 32, 20},   {"q5_0", 32, 22},
    {"q5_1", 32, 24},  {"q2_k", 256, 84}, {"q3_k", 256, 110}, {"q4_k", 256, 144},
    {"q5_k", 256, 176}, {"q6_k", 256, 210}, {"iq4_nl", 32, 18}, {"mxfp4", 32, 17},
};

inline float bits_to_float(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

// IEEE half -> float, exact (subnormals, infinities and NaN included).
inline float half_to_float(uint16_t h) {
  uint32_t sign = uint32_t(h >> 15) << 31, exp = (h >> 10) & 0x1f, man = h & 0x3ff;
  if (exp == 0) {
    if (man == 0) return bits_to_float(sign);
    float v = float(man) * (1.0f / 16777216.0f);  // man * 2^-24
    return sign ? -v : v;
  }
  if (exp == 31) return bits_to_float(sign | 0x7f800000u | (man << 13));
  return bits_to_float(sign | ((exp + 112) << 23) | (man << 13));
}

inline float f16_at(const uint8_t* p) { return half_to_float(uint16_t(p[0] | (p[1] << 8))); }

inline const int8_t kIq4nl[16] = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};
inline const int8_t kMxfp4[16] = {0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12};

inline float e8m0_half(uint8_t e) { return bits_to_float(e < 2 ? 0x00200000u << e : uint32_t(e - 1) << 23); }

// Q4_K/Q5_K get_scale_min_k4.
inline void scale_min_k4(int j, const uint8_t* q, uint8_t* d, uint8_t* m) {
  if (j < 4) {
    *d = q[j] & 63;
    *m = q[j + 4] & 63;
  } else {
    *d = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4);
    *m = (q[j + 4] >> 4) | ((q[j - 0] >> 6) << 4);
  }
}

// Dequantizes one block of format `name` into y[0..qk).
inline void dequant_block(const std::string& name, const uint8_t* x, float* y) {
  if (name == "q8_0") {
    float d = f16_at(x);
    for (int j = 0; j < 32; ++j) y[j] = float(int8_t(x[2 + j])) * d;
  } else if (name == "q4_0" || name == "iq4_nl" || name == "mxfp4") {
    bool mx = name == "mxfp4";
    float d = mx ? e8m0_half(x[0]) : f16_at(x);
    const uint8_t* qs = x + (mx ? 1 : 2);
    for (int j = 0; j < 16; ++j) {
      int lo = qs[j] & 0xF, hi = qs[j] >> 4;
      if (name == "q4_0") {
        y[j] = float(lo - 8) * d;
        y[j + 16] = float(hi - 8) * d;
      } else {
        const int8_t* kv = mx ? kMxfp4 : kIq4nl;
        y[j] = float(kv[lo]) * d;
        y[j + 16] = float(kv[hi]) * d;
      }
    }
  } else if (name == "q4_1") {
    float d = f16_at(x), m = f16_at(x + 2);
    for (int j = 0; j < 16; ++j) {
      float p0 = float(x[4 + j] & 0xF) * d, p1 = float(x[4 + j] >> 4) * d;
      y[j] = p0 + m;
      y[j + 16] = p1 + m;
    }
  } else if (name == "q5_0" || name == "q5_1") {
    bool one = name == "q5_1";
    float d = f16_at(x), m = one ? f16_at(x + 2) : 0.0f;
    const uint8_t* qhp = x + (one ? 4 : 2);
    uint32_t qh = qhp[0] | (qhp[1] << 8) | (qhp[2] << 16) | (uint32_t(qhp[3]) << 24);
    const uint8_t* qs = qhp + 4;
    for (int j = 0; j < 16; ++j) {
      int x0 = (qs[j] & 0xF) | (((qh >> j) << 4) & 0x10);
      int x1 = (qs[j] >> 4) | ((qh >> (j + 12)) & 0x10);
      if (one) {
        float p0 = float(x0) * d, p1 = float(x1) * d;
        y[j] = p0 + m;
        y[j + 16] = p1 + m;
      } else {
        y[j] = float(x0 - 16) * d;
        y[j + 16] = float(x1 - 16) * d;
      }
    }
  } else if (name == "q2_k") {
    const uint8_t* sc = x;
    const uint8_t* q = x + 16;
    float d = f16_at(x + 80), dmin = f16_at(x + 82);
    int is = 0;
    for (int n = 0; n < 256; n += 128) {
      for (int shift = 0; shift < 8; shift += 2) {
        for (int half = 0; half < 2; ++half) {
          uint8_t s = sc[is++];
          float dl = d * float(s & 0xF), ml = dmin * float(s >> 4);
          for (int l = 0; l < 16; ++l) {
            float p = dl * float((q[l + 16 * half] >> shift) & 3);
            *y++ = p - ml;
          }
        }
      }
      q += 32;
    }
  } else if (name == "q3_k") {
    const uint8_t* hm = x;
    const uint8_t* q = x + 32;
    const uint8_t* s = x + 96;
    float d_all = f16_at(x + 108);
    int8_t scales[16];
    for (int i = 0; i < 16; ++i) {
      int low = i < 8 ? (s[i] & 0xF) : (s[i - 8] >> 4);
      int high = (s[8 + i % 4] >> (2 * (i / 4))) & 3;
      scales[i] = int8_t((low | (high << 4)) - 32);
    }
    int is = 0;
    uint8_t m = 1;
    for (int n = 0; n < 256; n += 128) {
      for (int shift = 0; shift < 8; shift += 2) {
        for (int half = 0; half < 2; ++half) {
          float dl = d_all * float(scales[is++]);
          for (int l = 0; l < 16; ++l) {
            int v = int((q[l + 16 * half] >> shift) & 3) - ((hm[l + 16 * half] & m) ? 0 : 4);
            *y++ = dl * float(v);
          }
        }
        m <<= 1;
      }
      q += 32;
    }
  } else if (name == "q4_k" || name == "q5_k") {
    bool five = name == "q5_k";
    float d = f16_at(x), dmin = f16_at(x + 2);
    const uint8_t* scales = x + 4;
    const uint8_t* qh = x + 16;
    const uint8_t* ql = x + (five ? 48 : 16);
    int is = 0;
    uint8_t u1 = 1, u2 = 2;
    for (int j = 0; j < 256; j += 64) {
      uint8_t sc, mn;
      scale_min_k4(is, scales, &sc, &mn);
      float d1 = d * float(sc), m1 = dmin * float(mn);
      scale_min_k4(is + 1, scales, &sc, &mn);
      float d2 = d * float(sc), m2 = dmin * float(mn);
      for (int l = 0; l < 32; ++l) {
        int v = (ql[l] & 0xF) + (five && (qh[l] & u1) ? 16 : 0);
        float p = d1 * float(v);
        *y++ = p - m1;
      }
      for (int l = 0; l < 32; ++l) {
        int v = (ql[l] >> 4) + (five && (qh[l] & u2) ? 16 : 0);
        float p = d2 * float(v);
        *y++ = p - m2;
      }
      ql += 32;
      is += 2;
      u1 <<= 2;
      u2 <<= 2;
    }
  } else if (name == "q6_k") {
    float d = f16_at(x + 208);
    const uint8_t* ql = x;
    const uint8_t* qh = x + 128;
    const int8_t* sc = reinterpret_cast<const int8_t*>(x + 192);
    for (int n = 0; n < 256; n += 128) {
      for (int l = 0; l < 32; ++l) {
        int is = l / 16;
        int q1 = int((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
        int q2 = int((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
        int q3 = int((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
        int q4 = int((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
        y[l + 0] = d * float(sc[is + 0]) * float(q1);
        y[l + 32] = d * float(sc[is + 2]) * float(q2);
        y[l + 64] = d * float(sc[is + 4]) * float(q3);
        y[l + 96] = d * float(sc[is + 6]) * float(q4);
      }
      y += 128;
      ql += 64;
      qh += 32;
      sc += 8;
    }
  }
}

// Byte offsets of the f16 fields of a block (the scales a random block must keep finite).
inline std::vector<uint32_t> half_fields(const std::string& name) {
  if (name == "q8_0" || name == "q4_0" || name == "iq4_nl" || name == "q5_0") return {0};
  if (name == "q4_1" || name == "q5_1" || name == "q4_k" || name == "q5_k") return {0, 2};
  if (name == "q2_k") return {80, 82};
  if (name == "q3_k") return {108};
  if (name == "q6_k") return {208};
  return {};  // mxfp4: an E8M0 byte
}

}  // namespace rbee::test::quant
