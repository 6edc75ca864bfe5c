// f32_to_f16 and f32_to_bf16: round to nearest even, exhaustively over the f16 grid.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>

#include "util/float_convert.hpp"
#include "util/half.hpp"

namespace rbee::quant {
namespace {

TEST(FloatConvert, F16RoundTripsEveryHalf) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    const float f = f16_to_f32(uint16_t(h));
    if (std::isnan(f)) {
      EXPECT_TRUE(std::isnan(f16_to_f32(f32_to_f16(f)))) << h;
    } else {
      ASSERT_EQ(f32_to_f16(f), h) << h;
    }
  }
}

// Between neighbours a < b: the midpoint goes to the even one, anything off it to the nearer.
TEST(FloatConvert, F16RoundsToNearestEven) {
  for (uint16_t h = 0; h < 0x7bff; ++h) {
    const float a = f16_to_f32(h), b = f16_to_f32(uint16_t(h + 1));
    const float mid = (a + b) / 2;  // exact: halves carry 11 significant bits
    ASSERT_EQ(f32_to_f16(mid), (h & 1) ? h + 1 : h) << h;
    ASSERT_EQ(f32_to_f16(std::nextafter(mid, 0.f)), h) << h;
    ASSERT_EQ(f32_to_f16(std::nextafter(mid, b)), h + 1) << h;
    ASSERT_EQ(f32_to_f16(-mid), ((h & 1) ? h + 1 : h) | 0x8000) << h;
  }
  EXPECT_EQ(f32_to_f16(65519.996f), 0x7bff);  // below the midpoint to 65536
  EXPECT_EQ(f32_to_f16(65520.f), 0x7c00);
  EXPECT_EQ(f32_to_f16(1e30f), 0x7c00);
  EXPECT_EQ(f32_to_f16(-std::numeric_limits<float>::infinity()), 0xfc00);
  EXPECT_EQ(f32_to_f16(0x1p-25f), 0);  // half the smallest subnormal: ties to 0
  EXPECT_EQ(f32_to_f16(1e-30f), 0);
  EXPECT_EQ(f32_to_f16(-0.f), 0x8000);
}

TEST(FloatConvert, Bf16RoundsToNearestEvenAndKeepsNan) {
  EXPECT_EQ(f32_to_bf16(1.f), 0x3f80);
  EXPECT_EQ(f32_to_bf16(1.f + 0x1p-8f), 0x3f80);      // tie, even stays
  EXPECT_EQ(f32_to_bf16(1.f + 3 * 0x1p-8f), 0x3f82);  // tie, odd goes up
  EXPECT_EQ(f32_to_bf16(1.f + 0x1p-8f + 0x1p-20f), 0x3f81);
  EXPECT_EQ(f32_to_bf16(-2.5f), 0xc020);
  EXPECT_EQ(f32_to_bf16(std::numeric_limits<float>::infinity()), 0x7f80);
  EXPECT_EQ(f32_to_bf16(std::numeric_limits<float>::max()), 0x7f80);  // overflows to inf
  // A NaN whose payload sits in the low 16 bits must not turn into infinity.
  const float nan_low = std::bit_cast<float>(0x7f800001u);
  EXPECT_TRUE(std::isnan(bf16_to_f32(f32_to_bf16(nan_low))));
  for (uint32_t b = 0; b < 0x10000; ++b) {
    const float f = bf16_to_f32(uint16_t(b));
    if (std::isnan(f)) continue;
    ASSERT_EQ(f32_to_bf16(f), b) << b;
  }
}

}  // namespace
}  // namespace rbee::quant
