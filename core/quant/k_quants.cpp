// The 256-element super-block formats Q2_K .. Q6_K, following ggml's quantize_row_q*_K_ref
// (the path llama-quantize takes without an importance matrix) and dequantize_row_q*_K.
// Layouts (bytes): Q2_K {u8 scales[16]; u8 qs[64]; f16 d, dmin}
//                  Q3_K {u8 hmask[32]; u8 qs[64]; u8 scales[12]; f16 d}
//                  Q4_K {f16 d, dmin; u8 scales[12]; u8 qs[128]}
//                  Q5_K {f16 d, dmin; u8 scales[12]; u8 qh[32]; u8 qs[128]}
//                  Q6_K {u8 ql[128]; u8 qh[64]; i8 scales[16]; f16 d}
#include <cmath>

#include "quant/codec.hpp"

namespace rbee::quant::detail {
namespace {

constexpr int QK = 256;
constexpr float kGroupMaxEps = 1e-15f;

// Levels in [0, nmax] and an affine fit x ~ scale*L - min (min >= 0 returned in the_min),
// minimizing the weighted error (absolute when use_mad, else squared) over nstep+1 trial
// scales around nmax/(max - min). ggml's make_qkx2_quants, same operation order.
float make_qkx2_quants(int n, int nmax, const float* x, const float* weights, uint8_t* L,
                       float* the_min, uint8_t* Laux, float rmin, float rdelta, int nstep,
                       bool use_mad) {
  float min = x[0], max = x[0];
  float sum_w = weights[0];
  float sum_x = sum_w * x[0];
  for (int i = 1; i < n; ++i) {
    if (x[i] < min) min = x[i];
    if (x[i] > max) max = x[i];
    const float w = weights[i];
    sum_w += w;
    sum_x += w * x[i];
  }
  if (min > 0) min = 0;
  if (max == min) {
    for (int i = 0; i < n; ++i) L[i] = 0;
    *the_min = -min;
    return 0.f;
  }
  float iscale = nmax / (max - min);
  float scale = 1 / iscale;
  float best_error = 0;
  for (int i = 0; i < n; ++i) {
    const int l = nearest_int(iscale * (x[i] - min));
    L[i] = uint8_t(std::clamp(l, 0, nmax));
    float diff = scale * L[i] + min - x[i];
    diff = use_mad ? std::fabs(diff) : diff * diff;
    best_error += weights[i] * diff;
  }
  for (int is = 0; is <= nstep; ++is) {
    iscale = (rmin + rdelta * is + nmax) / (max - min);
    float sum_l = 0, sum_l2 = 0, sum_xl = 0;
    for (int i = 0; i < n; ++i) {
      const int l = std::clamp(nearest_int(iscale * (x[i] - min)), 0, nmax);
      Laux[i] = uint8_t(l);
      const float w = weights[i];
      sum_l += w * l;
      sum_l2 += w * l * l;
      sum_xl += w * l * x[i];
    }
    const float D = sum_w * sum_l2 - sum_l * sum_l;
    if (D > 0) {
      float this_scale = (sum_w * sum_xl - sum_x * sum_l) / D;
      float this_min = (sum_l2 * sum_x - sum_l * sum_xl) / D;
      if (this_min > 0) {
        this_min = 0;
        this_scale = sum_xl / sum_l2;
      }
      float cur_error = 0;
      for (int i = 0; i < n; ++i) {
        float diff = this_scale * Laux[i] + this_min - x[i];
        diff = use_mad ? std::fabs(diff) : diff * diff;
        cur_error += weights[i] * diff;
      }
      if (cur_error < best_error) {
        for (int i = 0; i < n; ++i) L[i] = Laux[i];
        best_error = cur_error;
        scale = this_scale;
        min = this_min;
      }
    }
  }
  *the_min = -min;
  return scale;
}

// The element of largest magnitude, with its sign (the first one on ties).
float largest_magnitude(int n, const float* x) {
  float max = 0, amax = 0;
  for (int i = 0; i < n; ++i) {
    const float ax = std::fabs(x[i]);
    if (ax > amax) {
      amax = ax;
      max = x[i];
    }
  }
  return max;
}

// Symmetric levels L in [0, 2*nmax) (offset nmax) and the scale, fitted with weights x^2
// over 19 trial scales. ggml's make_qx_quants with rmse_type 1 and no quant weights.
float make_qx_quants(int n, int nmax, const float* x, int8_t* L) {
  const float max = largest_magnitude(n, x);
  if (std::fabs(max) < kGroupMaxEps) {
    for (int i = 0; i < n; ++i) L[i] = 0;
    return 0.f;
  }
  float iscale = -nmax / max;
  float sumlx = 0, suml2 = 0;
  for (int i = 0; i < n; ++i) {
    const int l = std::clamp(nearest_int(iscale * x[i]), -nmax, nmax - 1);
    L[i] = int8_t(l + nmax);
    const float w = x[i] * x[i];
    sumlx += w * x[i] * l;
    suml2 += w * l * l;
  }
  float scale = suml2 ? sumlx / suml2 : 0.0f;
  float best = scale * sumlx;
  for (int is = -9; is <= 9; ++is) {
    if (is == 0) continue;
    iscale = -(nmax + 0.1f * is) / max;
    sumlx = suml2 = 0;
    for (int i = 0; i < n; ++i) {
      const int l = std::clamp(nearest_int(iscale * x[i]), -nmax, nmax - 1);
      const float w = x[i] * x[i];
      sumlx += w * x[i] * l;
      suml2 += w * l * l;
    }
    if (suml2 > 0 && sumlx * sumlx > best * suml2) {
      for (int i = 0; i < n; ++i)
        L[i] = int8_t(nmax + std::clamp(nearest_int(iscale * x[i]), -nmax, nmax - 1));
      scale = sumlx / suml2;
      best = scale * sumlx;
    }
  }
  return scale;
}

// Levels L in [0, 2*nmax) for Q3_K: start from the nearest levels of scale max/-nmax, then
// move single levels while the x^2-weighted fit improves (up to 5 sweeps). make_q3_quants.
float make_q3_quants(int n, int nmax, const float* x, int8_t* L) {
  const float max = largest_magnitude(n, x);
  if (std::fabs(max) < kGroupMaxEps) {
    for (int i = 0; i < n; ++i) L[i] = 0;
    return 0.f;
  }
  const float iscale = -nmax / max;
  float sumlx = 0, suml2 = 0;
  for (int i = 0; i < n; ++i) {
    const int l = std::clamp(nearest_int(iscale * x[i]), -nmax, nmax - 1);
    L[i] = int8_t(l);
    const float w = x[i] * x[i];
    sumlx += w * x[i] * l;
    suml2 += w * l * l;
  }
  for (int itry = 0; itry < 5; ++itry) {
    int n_changed = 0;
    for (int i = 0; i < n; ++i) {
      const float w = x[i] * x[i];
      float slx = sumlx - w * x[i] * L[i];
      if (slx > 0) {
        float sl2 = suml2 - w * L[i] * L[i];
        const int new_l = std::clamp(nearest_int(x[i] * sl2 / slx), -nmax, nmax - 1);
        if (new_l != L[i]) {
          slx += w * x[i] * new_l;
          sl2 += w * new_l * new_l;
          if (sl2 > 0 && slx * slx * suml2 > sumlx * sumlx * sl2) {
            L[i] = int8_t(new_l);
            sumlx = slx;
            suml2 = sl2;
            ++n_changed;
          }
        }
      }
    }
    if (!n_changed) break;
  }
  for (int i = 0; i < n; ++i) L[i] = int8_t(L[i] + nmax);
  return suml2 > 0.0f ? sumlx / suml2 : 0.0f;
}

// Four 2-bit levels per byte: byte l of each 32-byte group holds elements l, l+32, l+64, l+96
// of its 128-element half.
void pack_2bit(const uint8_t* L, uint8_t* qs) {
  for (int j = 0; j < QK; j += 128)
    for (int l = 0; l < 32; ++l)
      qs[j / 4 + l] = uint8_t(L[j + l] | (L[j + l + 32] << 2) | (L[j + l + 64] << 4) |
                              (L[j + l + 96] << 6));
}

// ---------------------------------------------------------------------------------- Q2_K

void quantize_q2_k(const float* x, uint8_t* y, uint64_t nb) {
  uint8_t L[QK], Laux[16];
  float weights[16], mins[QK / 16], scales[QK / 16];
  for (uint64_t i = 0; i < nb; ++i, x += QK, y += 84) {
    uint8_t* sc = y;
    float max_scale = 0, max_min = 0;
    for (int j = 0; j < QK / 16; ++j) {
      for (int l = 0; l < 16; ++l) weights[l] = std::fabs(x[16 * j + l]);
      scales[j] = make_qkx2_quants(16, 3, x + 16 * j, weights, L + 16 * j, &mins[j], Laux, -0.5f,
                                   0.1f, 15, true);
      max_scale = std::max(max_scale, scales[j]);
      max_min = std::max(max_min, mins[j]);
    }
    for (int j = 0; j < QK / 16; ++j)
      sc[j] = max_scale > 0 ? uint8_t(nearest_int(15.f / max_scale * scales[j])) : 0;
    store_f16(y + 80, max_scale > 0 ? max_scale / 15.f : 0.f);
    if (max_min > 0)
      for (int j = 0; j < QK / 16; ++j) sc[j] |= uint8_t(nearest_int(15.f / max_min * mins[j]) << 4);
    store_f16(y + 82, max_min > 0 ? max_min / 15.f : 0.f);
    // Requantize against the scales as stored.
    const float d_all = load_f16(y + 80), m_all = load_f16(y + 82);
    for (int j = 0; j < QK / 16; ++j) {
      const float d = d_all * (sc[j] & 0xF);
      if (!d) continue;
      const float dm = m_all * (sc[j] >> 4);
      for (int ii = 0; ii < 16; ++ii)
        L[16 * j + ii] = uint8_t(std::clamp(nearest_int((x[16 * j + ii] + dm) / d), 0, 3));
    }
    pack_2bit(L, y + 16);
  }
}

void dequantize_q2_k(const uint8_t* x, float* y, uint64_t nb) {
  for (uint64_t i = 0; i < nb; ++i, x += 84) {
    const float d = load_f16(x + 80), min = load_f16(x + 82);
    const uint8_t* q = x + 16;
    int is = 0;
    for (int n = 0; n < QK; n += 128, q += 32) {
      for (int shift = 0; shift < 8; shift += 2) {
        for (int half = 0; half < 2; ++half) {
          const uint8_t sc = x[is++];
          const float dl = d * (sc & 0xF), ml = min * (sc >> 4);
          for (int l = 0; l < 16; ++l) *y++ = dl * ((q[l + 16 * half] >> shift) & 3) - ml;
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------- Q3_K

// Scale j (6 bits, offset 32): low nibble in byte j (j < 8) or high nibble of byte j-8,
// top two bits in byte 8 + j%4 at bit 2*(j/4).
int q3_k_scale(const uint8_t* s, int j) {
  const int low = j < 8 ? s[j] & 0xF : s[j - 8] >> 4;
  const int high = (s[8 + j % 4] >> (2 * (j / 4))) & 3;
  return (low | (high << 4)) - 32;
}

void quantize_q3_k(const float* x, uint8_t* y, uint64_t nb) {
  int8_t L[QK];
  float scales[QK / 16];
  for (uint64_t i = 0; i < nb; ++i, x += QK, y += 110) {
    uint8_t* hmask = y;
    uint8_t* s = y + 96;
    float max_scale = 0, amax = 0;
    for (int j = 0; j < QK / 16; ++j) {
      scales[j] = make_q3_quants(16, 4, x + 16 * j, L + 16 * j);
      if (std::fabs(scales[j]) > amax) {
        amax = std::fabs(scales[j]);
        max_scale = scales[j];
      }
    }
    std::memset(s, 0, 12);
    if (max_scale) {
      const float iscale = -32.f / max_scale;
      for (int j = 0; j < QK / 16; ++j) {
        const int l = std::clamp(nearest_int(iscale * scales[j]), -32, 31) + 32;
        if (j < 8) s[j] = uint8_t(l & 0xF);
        else s[j - 8] |= uint8_t((l & 0xF) << 4);
        s[j % 4 + 8] |= uint8_t((l >> 4) << (2 * (j / 4)));
      }
      store_f16(y + 108, 1 / iscale);
    } else {
      store_f16(y + 108, 0.f);
    }
    const float d_all = load_f16(y + 108);
    for (int j = 0; j < QK / 16; ++j) {
      const float d = d_all * q3_k_scale(s, j);
      if (!d) continue;
      for (int ii = 0; ii < 16; ++ii)
        L[16 * j + ii] = int8_t(std::clamp(nearest_int(x[16 * j + ii] / d), -4, 3) + 4);
    }
    // Bit 2 of level j goes to hmask[j % 32] at bit j / 32.
    std::memset(hmask, 0, QK / 8);
    uint8_t low[QK];
    for (int j = 0; j < QK; ++j) {
      if (L[j] > 3) hmask[j % 32] |= uint8_t(1 << (j / 32));
      low[j] = uint8_t(L[j] & 3);
    }
    pack_2bit(low, y + 32);
  }
}

void dequantize_q3_k(const uint8_t* x, float* y, uint64_t nb) {
  for (uint64_t i = 0; i < nb; ++i, x += 110) {
    const float d_all = load_f16(x + 108);
    const uint8_t* hm = x;
    const uint8_t* q = x + 32;
    const uint8_t* s = x + 96;
    int is = 0;
    uint8_t m = 1;
    for (int n = 0; n < QK; n += 128, q += 32) {
      for (int shift = 0; shift < 8; shift += 2, m <<= 1) {
        for (int half = 0; half < 2; ++half) {
          const float dl = d_all * q3_k_scale(s, is++);
          for (int l = 16 * half; l < 16 * half + 16; ++l)
            *y++ = dl * (((q[l] >> shift) & 3) - ((hm[l] & m) ? 0 : 4));
        }
      }
    }
  }
}

// ------------------------------------------------------------------------------ Q4_K, Q5_K

// Eight 6-bit scales and mins in 12 bytes: j < 4 in the low 6 bits of bytes j and j+4;
// j >= 4 split between byte j+4 (low nibbles) and the top 2 bits of bytes j-4 and j.
void get_scale_min_k4(int j, const uint8_t* q, uint8_t& d, uint8_t& m) {
  if (j < 4) {
    d = q[j] & 63;
    m = q[j + 4] & 63;
  } else {
    d = uint8_t((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4));
    m = uint8_t((q[j + 4] >> 4) | ((q[j] >> 6) << 4));
  }
}

// Shared by Q4_K and Q5_K: fits the eight 32-element sub-blocks, writes d, dmin and the
// packed scales at y, and leaves the levels (0..nmax) in L.
void quantize_scale_min_superblock(const float* x, uint8_t* y, uint8_t* L, int nmax, float rmin,
                                   int nstep) {
  uint8_t Laux[32];
  float weights[32], mins[QK / 32], scales[QK / 32];
  float max_scale = 0, max_min = 0;
  for (int j = 0; j < QK / 32; ++j) {
    float sum_x2 = 0;
    for (int l = 0; l < 32; ++l) sum_x2 += x[32 * j + l] * x[32 * j + l];
    const float av_x = std::sqrt(sum_x2 / 32);
    for (int l = 0; l < 32; ++l) weights[l] = av_x + std::fabs(x[32 * j + l]);
    scales[j] = make_qkx2_quants(32, nmax, x + 32 * j, weights, L + 32 * j, &mins[j], Laux, rmin,
                                 0.1f, nstep, false);
    max_scale = std::max(max_scale, scales[j]);
    max_min = std::max(max_min, mins[j]);
  }
  uint8_t* s = y + 4;
  const float inv_scale = max_scale > 0 ? 63.f / max_scale : 0.f;
  const float inv_min = max_min > 0 ? 63.f / max_min : 0.f;
  for (int j = 0; j < QK / 32; ++j) {
    // uint8_t first, as ggml does: a (rare) negative fit wraps and then saturates at 63.
    const uint8_t ls = std::min<uint8_t>(63, uint8_t(nearest_int(inv_scale * scales[j])));
    const uint8_t lm = std::min<uint8_t>(63, uint8_t(nearest_int(inv_min * mins[j])));
    if (j < 4) {
      s[j] = ls;
      s[j + 4] = lm;
    } else {
      s[j + 4] = uint8_t((ls & 0xF) | ((lm & 0xF) << 4));
      s[j - 4] |= uint8_t((ls >> 4) << 6);
      s[j] |= uint8_t((lm >> 4) << 6);
    }
  }
  store_f16(y, max_scale / 63.f);
  store_f16(y + 2, max_min / 63.f);
  const float d_all = load_f16(y), m_all = load_f16(y + 2);
  for (int j = 0; j < QK / 32; ++j) {
    uint8_t sc, m;
    get_scale_min_k4(j, s, sc, m);
    const float d = d_all * sc;
    if (!d) continue;
    const float dm = m_all * m;
    for (int ii = 0; ii < 32; ++ii)
      L[32 * j + ii] = uint8_t(std::clamp(nearest_int((x[32 * j + ii] + dm) / d), 0, nmax));
  }
}

void quantize_q4_k(const float* x, uint8_t* y, uint64_t nb) {
  uint8_t L[QK];
  for (uint64_t i = 0; i < nb; ++i, x += QK, y += 144) {
    quantize_scale_min_superblock(x, y, L, 15, -1.f, 20);
    // Byte l of each 32-byte group: element l (low nibble) and l+32 of its 64-element chunk.
    uint8_t* q = y + 16;
    for (int j = 0; j < QK; j += 64, q += 32)
      for (int l = 0; l < 32; ++l) q[l] = uint8_t(L[j + l] | (L[j + l + 32] << 4));
  }
}

void dequantize_q4_k(const uint8_t* x, float* y, uint64_t nb) {
  for (uint64_t i = 0; i < nb; ++i, x += 144) {
    const float d = load_f16(x), min = load_f16(x + 2);
    const uint8_t* q = x + 16;
    for (int is = 0; is < QK / 32; is += 2, q += 32) {
      uint8_t sc, m;
      get_scale_min_k4(is, x + 4, sc, m);
      const float d1 = d * sc, m1 = min * m;
      get_scale_min_k4(is + 1, x + 4, sc, m);
      const float d2 = d * sc, m2 = min * m;
      for (int l = 0; l < 32; ++l) *y++ = d1 * (q[l] & 0xF) - m1;
      for (int l = 0; l < 32; ++l) *y++ = d2 * (q[l] >> 4) - m2;
    }
  }
}

void quantize_q5_k(const float* x, uint8_t* y, uint64_t nb) {
  uint8_t L[QK];
  for (uint64_t i = 0; i < nb; ++i, x += QK, y += 176) {
    quantize_scale_min_superblock(x, y, L, 31, -0.5f, 15);
    // Like Q4_K for the low nibbles; the fifth bit of element l (+32) of 64-element chunk c
    // goes to qh[l] at bit 2c (2c+1).
    uint8_t* qh = y + 16;
    uint8_t* ql = y + 48;
    std::memset(qh, 0, QK / 8);
    for (int c = 0; c < QK / 64; ++c, ql += 32) {
      for (int l = 0; l < 32; ++l) {
        const int l1 = L[64 * c + l], l2 = L[64 * c + l + 32];
        qh[l] |= uint8_t(((l1 >> 4) << (2 * c)) | ((l2 >> 4) << (2 * c + 1)));
        ql[l] = uint8_t((l1 & 0xF) | ((l2 & 0xF) << 4));
      }
    }
  }
}

void dequantize_q5_k(const uint8_t* x, float* y, uint64_t nb) {
  for (uint64_t i = 0; i < nb; ++i, x += 176) {
    const float d = load_f16(x), min = load_f16(x + 2);
    const uint8_t* qh = x + 16;
    const uint8_t* ql = x + 48;
    uint8_t u1 = 1, u2 = 2;
    for (int is = 0; is < QK / 32; is += 2, ql += 32, u1 <<= 2, u2 <<= 2) {
      uint8_t sc, m;
      get_scale_min_k4(is, x + 4, sc, m);
      const float d1 = d * sc, m1 = min * m;
      get_scale_min_k4(is + 1, x + 4, sc, m);
      const float d2 = d * sc, m2 = min * m;
      for (int l = 0; l < 32; ++l) *y++ = d1 * ((ql[l] & 0xF) + (qh[l] & u1 ? 16 : 0)) - m1;
      for (int l = 0; l < 32; ++l) *y++ = d2 * ((ql[l] >> 4) + (qh[l] & u2 ? 16 : 0)) - m2;
    }
  }
}

// ---------------------------------------------------------------------------------- Q6_K

void quantize_q6_k(const float* x, uint8_t* y, uint64_t nb) {
  int8_t L[QK];
  float scales[QK / 16];
  for (uint64_t i = 0; i < nb; ++i, x += QK, y += 210) {
    float max_scale = 0, max_abs_scale = 0;
    for (int ib = 0; ib < QK / 16; ++ib) {
      scales[ib] = make_qx_quants(16, 32, x + 16 * ib, L + 16 * ib);
      if (std::fabs(scales[ib]) > max_abs_scale) {
        max_abs_scale = std::fabs(scales[ib]);
        max_scale = scales[ib];
      }
    }
    if (max_abs_scale < kGroupMaxEps) {
      std::memset(y, 0, 210);
      continue;
    }
    int8_t* sc = reinterpret_cast<int8_t*>(y + 192);
    const float iscale = -128.f / max_scale;
    store_f16(y + 208, 1 / iscale);
    for (int ib = 0; ib < QK / 16; ++ib) sc[ib] = int8_t(std::min(127, nearest_int(iscale * scales[ib])));
    const float d_all = load_f16(y + 208);
    for (int j = 0; j < QK / 16; ++j) {
      const float d = d_all * sc[j];
      if (!d) continue;
      for (int ii = 0; ii < 16; ++ii)
        L[16 * j + ii] = int8_t(std::clamp(nearest_int(x[16 * j + ii] / d), -32, 31) + 32);
    }
    // Per 128-element half: ql[l] holds elements l, l+64 (low nibbles), ql[l+32] holds l+32,
    // l+96; qh[l] holds the top two bits of l, l+32, l+64, l+96.
    uint8_t* ql = y;
    uint8_t* qh = y + 128;
    for (int j = 0; j < QK; j += 128, ql += 64, qh += 32) {
      for (int l = 0; l < 32; ++l) {
        const int q1 = L[j + l], q2 = L[j + l + 32], q3 = L[j + l + 64], q4 = L[j + l + 96];
        ql[l] = uint8_t((q1 & 0xF) | ((q3 & 0xF) << 4));
        ql[l + 32] = uint8_t((q2 & 0xF) | ((q4 & 0xF) << 4));
        qh[l] = uint8_t((q1 >> 4) | ((q2 >> 4) << 2) | ((q3 >> 4) << 4) | ((q4 >> 4) << 6));
      }
    }
  }
}

void dequantize_q6_k(const uint8_t* x, float* y, uint64_t nb) {
  for (uint64_t i = 0; i < nb; ++i, x += 210) {
    const float d = load_f16(x + 208);
    const uint8_t* ql = x;
    const uint8_t* qh = x + 128;
    const int8_t* sc = reinterpret_cast<const int8_t*>(x + 192);
    for (int n = 0; n < QK; n += 128, y += 128, ql += 64, qh += 32, sc += 8) {
      for (int l = 0; l < 32; ++l) {
        const int is = l / 16;
        const int q1 = ((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
        const int q2 = ((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
        const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
        const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
        y[l] = d * sc[is] * q1;
        y[l + 32] = d * sc[is + 2] * q2;
        y[l + 64] = d * sc[is + 4] * q3;
        y[l + 96] = d * sc[is + 6] * q4;
      }
    }
  }
}

constexpr Codec kQ2_K{quantize_q2_k, dequantize_q2_k};
constexpr Codec kQ3_K{quantize_q3_k, dequantize_q3_k};
constexpr Codec kQ4_K{quantize_q4_k, dequantize_q4_k};
constexpr Codec kQ5_K{quantize_q5_k, dequantize_q5_k};
constexpr Codec kQ6_K{quantize_q6_k, dequantize_q6_k};

}  // namespace

const Codec* k_quant_codec(DType type) {
  switch (type) {
    case DType::Q2_K: return &kQ2_K;
    case DType::Q3_K: return &kQ3_K;
    case DType::Q4_K: return &kQ4_K;
    case DType::Q5_K: return &kQ5_K;
    case DType::Q6_K: return &kQ6_K;
    default: return nullptr;
  }
}

}  // namespace rbee::quant::detail
