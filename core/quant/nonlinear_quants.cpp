// 32-element blocks whose 4-bit codes index a fixed table of values:
// IQ4_NL {f16 d; u8 qs[16]} with kvalues_iq4nl, MXFP4 {u8 e (E8M0 exponent); u8 qs[16]} with
// FP4 E2M1 values (doubled, the scale halved to match). Nibble j: element j low, j+16 high.
#include <array>
#include <cmath>

#include "quant/codec.hpp"

namespace rbee::quant::detail {
namespace {

constexpr int kBlock = 32;
constexpr float kGroupMaxEps = 1e-15f;
constexpr int8_t kIq4nlValues[16] = {-127, -104, -83, -65, -49, -35, -22, -10,
                                     1,    13,   25,  38,  53,  69,  89,  113};
constexpr int8_t kMxfp4Values[16] = {0, 1, 2, 3, 4, 6, 8, 12, 0, -1, -2, -3, -4, -6, -8, -12};

// Index of the table value nearest to x, ties going up, i.e. the number of midpoints between
// neighbours that x reaches. The midpoints are multiples of 1/2, so floor(2x) decides, and a
// table over floor(2x) in [-256, 256] answers without ggml's binary search, whose
// unpredictable branches dominated the encoding time. Same choice as ggml's, up to float
// rounding right at a midpoint.
int best_index_iq4nl(float x) {
  static constexpr auto kIndexOfTwiceFloor = [] {
    std::array<uint8_t, 513> t{};
    for (int h = -256; h <= 256; ++h)
      for (int k = 0; k < 15; ++k) t[h + 256] += h >= kIq4nlValues[k] + kIq4nlValues[k + 1];
    return t;
  }();
  const float x2 = std::clamp(2 * x, -256.f, 256.f);
  int h = int(x2);
  h -= float(h) > x2;  // truncation to floor
  return kIndexOfTwiceFloor[h + 256];
}

// ggml's quantize_row_iq4_nl_impl for one block without importance weights and ntry = 7,
// which is what llama-quantize writes: weights x^2, 15 trial scales, codes for the best.
void quantize_iq4_nl(const float* x, uint8_t* y, uint64_t nb) {
  constexpr int kTries = 7;
  uint8_t L[kBlock];
  for (uint64_t i = 0; i < nb; ++i, x += kBlock, y += 18) {
    float amax = 0, max = 0;
    for (int j = 0; j < kBlock; ++j)
      if (std::fabs(x[j]) > amax) {
        amax = std::fabs(x[j]);
        max = x[j];
      }
    if (amax < kGroupMaxEps) {
      store_f16(y, 0.f);
      std::memset(y + 2, 0x88, 16);  // code 8 is the value nearest zero
      continue;
    }
    // Weighted least-squares scale for the codes chosen at a trial inverse scale id.
    auto fit = [&](float id, float& sumqx, float& sumq2) {
      sumqx = sumq2 = 0;
      for (int j = 0; j < kBlock; ++j) {
        const float q = kIq4nlValues[best_index_iq4nl(id * x[j])];
        const float w = x[j] * x[j];
        sumqx += w * q * x[j];
        sumq2 += w * q * q;
      }
    };
    float sumqx, sumq2;
    fit(1 / (-max / kIq4nlValues[0]), sumqx, sumq2);
    float d = sumq2 > 0 ? sumqx / sumq2 : 0.f;
    float best = d * sumqx;
    for (int itry = -kTries; itry <= kTries; ++itry) {
      fit((itry + kIq4nlValues[0]) / max, sumqx, sumq2);
      if (sumq2 > 0 && sumqx * sumqx > best * sumq2) {
        d = sumqx / sumq2;
        best = d * sumqx;
      }
    }
    store_f16(y, d);
    const float id = d ? 1 / d : 0;
    for (int j = 0; j < kBlock; ++j) L[j] = uint8_t(best_index_iq4nl(id * x[j]));
    for (int j = 0; j < 16; ++j) y[2 + j] = uint8_t(L[j] | (L[j + 16] << 4));
  }
}

void dequantize_iq4_nl(const uint8_t* x, float* y, uint64_t nb) {
  for (uint64_t i = 0; i < nb; ++i, x += 18, y += kBlock) {
    const float d = load_f16(x);
    for (int j = 0; j < 16; ++j) {
      y[j] = d * kIq4nlValues[x[2 + j] & 0xF];
      y[j + 16] = d * kIq4nlValues[x[2 + j] >> 4];
    }
  }
}

// 2^(e-128): the E8M0 scale 2^(e-127) halved for the doubled value table (e < 2 subnormal).
float e8m0_to_f32_half(uint8_t e) {
  const uint32_t bits = e < 2 ? 0x00200000u << e : uint32_t(e - 1) << 23;
  return std::bit_cast<float>(bits);
}

int best_index_mxfp4(float x, float d) {
  int best = 0;
  float best_err = std::fabs(kMxfp4Values[0] * d - x);
  for (int k = 1; k < 16; ++k) {
    const float err = std::fabs(kMxfp4Values[k] * d - x);
    if (err < best_err) {
      best = k;
      best_err = err;
    }
  }
  return best;
}

// ggml's quantize_row_mxfp4_ref: exponent floor(log2(amax)) - 2, so that amax lands on the
// top values (6 = 12/2 in E2M1); ilogb gives that floor exactly where log2f may round up.
void quantize_mxfp4(const float* x, uint8_t* y, uint64_t nb) {
  for (uint64_t i = 0; i < nb; ++i, x += kBlock, y += 17) {
    float amax = 0;
    for (int j = 0; j < kBlock; ++j) amax = std::max(amax, std::fabs(x[j]));
    const uint8_t e = amax > 0 ? uint8_t(std::clamp(std::ilogb(amax), -125, 127) + 125) : 0;
    const float d = e8m0_to_f32_half(e);
    y[0] = e;
    for (int j = 0; j < 16; ++j)
      y[1 + j] = uint8_t(best_index_mxfp4(x[j], d) | (best_index_mxfp4(x[j + 16], d) << 4));
  }
}

void dequantize_mxfp4(const uint8_t* x, float* y, uint64_t nb) {
  for (uint64_t i = 0; i < nb; ++i, x += 17, y += kBlock) {
    const float d = e8m0_to_f32_half(x[0]);
    for (int j = 0; j < 16; ++j) {
      y[j] = kMxfp4Values[x[1 + j] & 0xF] * d;
      y[j + 16] = kMxfp4Values[x[1 + j] >> 4] * d;
    }
  }
}

constexpr Codec kIQ4_NL{quantize_iq4_nl, dequantize_iq4_nl};
constexpr Codec kMXFP4{quantize_mxfp4, dequantize_mxfp4};

}  // namespace

const Codec* nonlinear_codec(DType type) {
  switch (type) {
    case DType::IQ4_NL: return &kIQ4_NL;
    case DType::MXFP4: return &kMXFP4;
    default: return nullptr;
  }
}

}  // namespace rbee::quant::detail
