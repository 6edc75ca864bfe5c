// quantize -> dequantize on random data of several shapes: the error stays within a per-type
// bound, special rows (zeros, constants) come back as expected, and re-encoding what was
// decoded gives the same bytes for the types whose quantizer is idempotent.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "quant_test_util.hpp"

namespace rbee::quant::test {
namespace {

constexpr size_t kRow = 256;  // one K-quant super-block, eight 32-element blocks

struct TypeCase {
  DType type;
  // Bound on RMSE / RMS for Gaussian data. A uniform quantizer with step s has RMSE s/sqrt(12);
  // with amax about 3.4 sigma over 32 values and 2^b - 1 steps over 2*amax (symmetric types
  // use one level less), that is about 2*3.4/((2^b - 1)*sqrt(12)): 8 bits 0.8 %, 6 bits 3 %,
  // 5 bits 6 %, 4 bits 13 %, 3 bits 28 %, 2 bits 65 %. The fitted scales of the K-quants
  // (and min offsets, importance on large values) do better; bounds sit about 1.3x above what
  // the reference algorithms measure here, so a regression in the fit shows.
  double bound;
  // quantize(dequantize(q)) == q. By construction for Q8_0, Q4_0, Q5_0 and MXFP4 (the
  // decoded block maximum reproduces the scale exactly); observed on this data for Q4_1, Q5_1,
  // Q2_K and Q4_K. Q3_K, Q5_K, Q6_K and IQ4_NL re-fit to other (as good) scales.
  bool idempotent;
};

const TypeCase kCases[] = {
    {DType::F32, 0.0, true},       {DType::F16, 3e-4, true},     {DType::BF16, 2.2e-3, true},
    {DType::Q8_0, 0.007, true},    {DType::Q4_0, 0.11, true},    {DType::Q4_1, 0.10, true},
    {DType::Q5_0, 0.056, true},    {DType::Q5_1, 0.05, true},   {DType::Q2_K, 0.38, true},
    {DType::Q3_K, 0.20, false},    {DType::Q4_K, 0.093, true},  {DType::Q5_K, 0.047, false},
    {DType::Q6_K, 0.023, false},   {DType::IQ4_NL, 0.10, false}, {DType::MXFP4, 0.15, true},
};

std::string name_of(DType t) { return std::string(dtype_name(t)); }

std::vector<float> gaussian(size_t n, float scale, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> dist(0.f, 1.f);
  std::vector<float> x(n);
  for (float& v : x) v = dist(rng) * scale;
  return x;
}

double round_trip_error(DType type, const std::vector<float>& x) {
  return relative_rmse(x, decode(type, encode(type, x), x.size()));
}

TEST(QuantRoundTrip, EveryTypeIsSupported) {
  for (const auto& c : kCases) EXPECT_TRUE(supported(c.type)) << name_of(c.type);
  EXPECT_FALSE(supported(DType::Q8_1));
  EXPECT_FALSE(supported(DType::I32));
}

TEST(QuantRoundTrip, GaussianErrorWithinBound) {
  const auto x = gaussian(64 * kRow, 1.f, 1);
  for (const auto& c : kCases) {
    const double err = round_trip_error(c.type, x);
    EXPECT_LE(err, c.bound) << name_of(c.type);
  }
}

// The bound holds at any magnitude the f16 block scales can express: the fits are
// scale-invariant up to that rounding.
TEST(QuantRoundTrip, HugeAndTinyMagnitudes) {
  for (const float scale : {1000.f, 0.01f}) {
    const auto x = gaussian(16 * kRow, scale, 2);
    for (const auto& c : kCases)
      EXPECT_LE(round_trip_error(c.type, x), c.bound * 1.05) << name_of(c.type) << " x" << scale;
  }
}

TEST(QuantRoundTrip, ZeroRowsDecodeToZero) {
  const std::vector<float> x(2 * kRow, 0.f);
  for (const auto& c : kCases)
    for (const float v : decode(c.type, encode(c.type, x), x.size()))
      ASSERT_EQ(v, 0.f) << name_of(c.type);
}

TEST(QuantRoundTrip, ConstantRowsStayClose) {
  for (const float value : {0.75f, -2.5f}) {
    const std::vector<float> x(kRow, value);
    for (const auto& c : kCases) {
      const auto y = decode(c.type, encode(c.type, x), x.size());
      // f16 scales (and the 6-bit min of Q4_K/Q5_K) round to within 2^-7 here; MXFP4 has
      // only E2M1 values times a power of two (-2.5 falls halfway between -2 and -3).
      const float tol = std::fabs(value) * (c.type == DType::MXFP4 ? 0.2f : 0x1p-7f);
      for (const float v : y) ASSERT_NEAR(v, value, tol) << name_of(c.type);
    }
  }
}

// One block in eight 1000x larger than the rest: the 32-element types scale each block on its
// own, so the small blocks keep their accuracy; the K-quants' 6-bit sub-block scales under one
// f16 super-block scale cannot express a 1000x spread (the small blocks round to zero, as in
// ggml), so for them only the row as a whole is bounded.
TEST(QuantRoundTrip, MixedMagnitudeBlocks) {
  auto x = gaussian(4 * kRow, 1.f, 3);
  std::vector<float> small, small_decoded;
  for (size_t i = 0; i < x.size(); ++i)
    if ((i / 32) % 8 == 3) x[i] *= 1000.f;
  for (const auto& c : kCases) {
    const auto y = decode(c.type, encode(c.type, x), x.size());
    EXPECT_LE(relative_rmse(x, y), c.bound * 1.05) << name_of(c.type);
    if (dtype_traits(uint32_t(c.type))->block_elems > 32) continue;
    small.clear();
    small_decoded.clear();
    for (size_t i = 0; i < x.size(); ++i)
      if ((i / 32) % 8 != 3) {
        small.push_back(x[i]);
        small_decoded.push_back(y[i]);
      }
    EXPECT_LE(relative_rmse(small, small_decoded), c.bound * 1.05) << name_of(c.type);
  }
}

TEST(QuantRoundTrip, RequantizingDecodedDataIsStable) {
  const auto x = gaussian(64 * kRow, 1.f, 4);
  for (const auto& c : kCases) {
    const auto q = encode(c.type, x);
    const auto y = decode(c.type, q, x.size());
    const auto q2 = encode(c.type, y);
    if (c.idempotent) {
      EXPECT_EQ(q2, q) << name_of(c.type);
    } else {
      // Not byte-stable (scales are re-fitted), but the decoded values move by a fraction of
      // the original quantization error.
      const auto y2 = decode(c.type, q2, x.size());
      EXPECT_LE(relative_rmse(y, y2), c.bound) << name_of(c.type);
    }
  }
}

TEST(QuantRoundTrip, ParallelQuantizeWritesTheSameBytes) {
  const auto x = gaussian(40 * kRow + 96, 1.f, 5);  // not a whole number of super-blocks
  for (const DType t : {DType::Q4_0, DType::IQ4_NL, DType::Q8_0}) {
    std::vector<uint8_t> q(bytes_for(t, x.size()));
    quantize_parallel(t, x, q, 3);
    EXPECT_EQ(q, encode(t, x)) << name_of(t);
  }
  const auto y = gaussian(300 * kRow, 1.f, 6);
  std::vector<uint8_t> q(bytes_for(DType::Q4_K, y.size()));
  quantize_parallel(DType::Q4_K, y, q, 2);
  EXPECT_EQ(q, encode(DType::Q4_K, y));
}

TEST(QuantRoundTrip, RejectsBadSizes) {
  std::vector<float> x(kRow + 16);
  std::vector<uint8_t> q(1000);
  EXPECT_THROW(quantize(DType::Q4_K, x, q), std::invalid_argument);
  EXPECT_THROW(quantize(DType::Q8_0, std::span<const float>(x.data(), 32), q),
               std::invalid_argument);
  EXPECT_THROW(dequantize(DType::Q8_1, std::span<const uint8_t>(q.data(), 36),
                          std::span<float>(x.data(), 32)),
               std::invalid_argument);
  EXPECT_EQ(bytes_for(DType::Q4_K, 512), 288u);
  EXPECT_EQ(bytes_for(DType::MXFP4, 64), 34u);
}

}  // namespace
}  // namespace rbee::quant::test
