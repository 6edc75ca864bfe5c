#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <mutex>
#include <random>

#include "fixtures_path.hpp"
#include "formats/fp8.hpp"
#include "formats/fp8_fixture.hpp"
#include "formats/safetensors.hpp"
#include "formats/test_util.hpp"
#include "temp_dir.hpp"
#include "util/float_convert.hpp"
#include "util/half.hpp"

namespace rbee {
namespace {

using test::expect_format_error;

// E4M3FN from its definition, built bit by bit as a float (not through the decoder's path).
float e4m3_reference(unsigned code) {
  const uint32_t sign = (code & 0x80u) << 24;
  const unsigned exp = (code >> 3) & 15, mant = code & 7;
  if (exp == 15 && mant == 7) return std::nanf("");
  if (exp == 0) {  // subnormal: mant * 2^-9
    const float m = float(mant) / 512.0f;
    return std::bit_cast<float>(std::bit_cast<uint32_t>(m) | sign);
  }
  return std::bit_cast<float>(sign | ((exp - 7 + 127) << 23) | (mant << 20));
}

TEST(Fp8, DecodesEveryE4m3Code) {
  for (unsigned c = 0; c < 256; ++c) {
    const float got = fp8::e4m3_to_float(uint8_t(c)), want = e4m3_reference(c);
    if (std::isnan(want)) {
      EXPECT_TRUE(std::isnan(got)) << "code " << c;
    } else {
      EXPECT_EQ(std::bit_cast<uint32_t>(got), std::bit_cast<uint32_t>(want)) << "code " << c << ": " << got << " vs " << want;
    }
  }
  // Landmarks of the OCP specification.
  EXPECT_EQ(fp8::e4m3_to_float(0x00), 0.0f);
  EXPECT_TRUE(std::signbit(fp8::e4m3_to_float(0x80)));
  EXPECT_EQ(fp8::e4m3_to_float(0x01), std::ldexp(1.0f, -9));   // smallest subnormal
  EXPECT_EQ(fp8::e4m3_to_float(0x07), 7 * std::ldexp(1.0f, -9));
  EXPECT_EQ(fp8::e4m3_to_float(0x08), std::ldexp(1.0f, -6));   // smallest normal
  EXPECT_EQ(fp8::e4m3_to_float(0x38), 1.0f);
  EXPECT_EQ(fp8::e4m3_to_float(0x7e), 448.0f);                  // largest: S.1111.110
  EXPECT_EQ(fp8::e4m3_to_float(0xfe), -448.0f);
  EXPECT_EQ(fp8::e4m3_to_float(0x78), 256.0f);                  // exponent 15 is not infinity
  EXPECT_TRUE(std::isnan(fp8::e4m3_to_float(0x7f)));
  EXPECT_TRUE(std::isnan(fp8::e4m3_to_float(0xff)));
  size_t nans = 0;
  for (unsigned c = 0; c < 256; ++c) nans += std::isnan(fp8::e4m3_to_float(uint8_t(c)));
  EXPECT_EQ(nans, 2u);
}

// The bf16 nearest to x (ties to even), by looking at the neighbours of a candidate.
uint16_t bf16_nearest(double x) {
  const uint16_t mid = uint16_t(std::bit_cast<uint32_t>(float(x)) >> 16);
  uint16_t best = mid;
  for (int d = -2; d <= 2; ++d) {
    const uint16_t c = uint16_t(mid + d);
    const double e = std::fabs(double(bf16_to_f32(c)) - x), be = std::fabs(double(bf16_to_f32(best)) - x);
    if (e < be || (e == be && (c & 1) == 0)) best = c;
  }
  return best;
}

struct Scaled {
  std::vector<uint8_t> codes;
  std::vector<uint8_t> scales;
  fp8::BlockScaled w;
};

// A [rows, cols] weight of random non-NaN codes with random scales of scale_type.
Scaled random_weight(uint64_t rows, uint64_t cols, DType scale_type, uint32_t seed) {
  std::mt19937 rng(seed);
  Scaled s;
  s.codes.resize(rows * cols);
  for (auto& c : s.codes) {
    do c = uint8_t(rng()); while ((c & 0x7f) == 0x7f);
  }
  s.w.codes = s.codes.data();
  s.w.rows = rows;
  s.w.cols = cols;
  s.w.scale_type = scale_type;
  const uint64_t n = s.w.scale_rows() * s.w.scale_cols();
  std::uniform_real_distribution<float> u(1e-4f, 1e-2f);
  s.scales.resize(n * (scale_type == DType::F32 ? 4 : 2));
  for (uint64_t i = 0; i < n; ++i) {
    const float f = u(rng);
    if (scale_type == DType::F32) {
      std::memcpy(&s.scales[4 * i], &f, 4);
    } else {
      const uint16_t b = quant::f32_to_bf16(f);
      std::memcpy(&s.scales[2 * i], &b, 2);
    }
  }
  s.w.scales = s.scales.data();
  return s;
}

TEST(Fp8, BlockScalingOfShapesNotMultiplesOf128) {
  for (DType scale_type : {DType::F32, DType::BF16}) {
    const Scaled s = random_weight(200, 130, scale_type, 7);
    ASSERT_EQ(s.w.scale_rows(), 2u);
    ASSERT_EQ(s.w.scale_cols(), 2u);
    const std::vector<float> f32 = fp8::dequantize(s.w);
    std::vector<uint16_t> bf16(200 * 130);
    fp8::convert_rows(s.w, 0, 200, DType::BF16, {}, reinterpret_cast<uint8_t*>(bf16.data()));
    for (uint64_t r = 0; r < 200; ++r)
      for (uint64_t c = 0; c < 130; ++c) {
        const float scale = scale_type == DType::F32 ? reinterpret_cast<const float*>(s.scales.data())[r / 128 * 2 + c / 128]
                                                     : bf16_to_f32(reinterpret_cast<const uint16_t*>(s.scales.data())[r / 128 * 2 + c / 128]);
        const double exact = double(e4m3_reference(s.codes[r * 130 + c])) * double(scale);
        ASSERT_EQ(f32[r * 130 + c], float(exact)) << r << "," << c;
        ASSERT_EQ(bf16[r * 130 + c], bf16_nearest(exact)) << r << "," << c << ": " << exact;
      }
    // A range of rows that starts inside a block of scales writes the same values.
    std::vector<uint16_t> part(70 * 130);
    fp8::convert_rows(s.w, 100, 170, DType::BF16, {}, reinterpret_cast<uint8_t*>(part.data()));
    EXPECT_TRUE(std::equal(part.begin(), part.end(), bf16.begin() + 100 * 130));
  }
}

TEST(Fp8, ConversionToBf16AvoidsDoubleRounding) {
  // Products just above a halfway point between two bf16 values whose float rounding lands
  // exactly on that halfway point: rounding to float, then to bf16, would round down.
  const struct {
    uint8_t code;
    uint32_t scale_bits;
  } cases[] = {{0x39, 0x3f6471c8u}, {0x3a, 0x3f4d999au}, {0xb9, 0x3f6471c8u}};
  for (const auto& c : cases) {
    const float scale = std::bit_cast<float>(c.scale_bits);
    const double exact = double(e4m3_reference(c.code)) * double(scale);
    ASSERT_NE(quant::f32_to_bf16(float(exact)), bf16_nearest(exact)) << "not a double-rounding case";
    fp8::BlockScaled w;
    w.codes = &c.code;
    w.rows = w.cols = 1;
    w.scales = reinterpret_cast<const uint8_t*>(&scale);
    uint16_t got;
    fp8::convert_rows(w, 0, 1, DType::BF16, {}, reinterpret_cast<uint8_t*>(&got));
    EXPECT_EQ(got, bf16_nearest(exact)) << exact;
  }
}

// A folder with config.json and one safetensors file of the given tensors.
std::filesystem::path folder(const test::TempDir& dir, const std::vector<test::StTensor>& tensors,
                             const std::string& config = R"({"model_type": "llama"})") {
  dir.write("config.json", config);
  test::write_safetensors(dir / "model.safetensors", tensors);
  return dir.path();
}

std::vector<test::StTensor> fp8_tensors(const Scaled& s, const std::string& name = "blk.weight") {
  return {{name, "F8_E4M3", {s.w.rows, s.w.cols}, s.codes},
          {name + "_scale_inv", s.w.scale_type == DType::F32 ? "F32" : "BF16", {s.w.scale_rows(), s.w.scale_cols()}, s.scales},
          {"norm.weight", "F32", {4}, test::float_bytes({1, 2, 3, 4})}};
}

TEST(Fp8, SourceConvertsAndDropsTheScales) {
  const test::TempDir dir;
  const Scaled s = random_weight(200, 130, DType::F32, 11);
  const std::vector<float> want = fp8::dequantize(s.w);
  const auto path = folder(dir, fp8_tensors(s));
  for (unsigned threads : {1u, 3u}) {
    const SafetensorsSource src(path, {.threads = threads});
    EXPECT_EQ(src.tensors().size(), 2u);
    EXPECT_EQ(src.tensor("blk.weight_scale_inv"), nullptr);
    const TensorView* t = src.tensor("blk.weight");
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->dtype, DType::BF16);
    EXPECT_EQ(t->shape, (std::vector<uint64_t>{200, 130}));
    ASSERT_EQ(t->nbytes, 200u * 130 * 2);
    const std::vector<float> got = test::to_floats(*t);
    for (size_t i = 0; i < got.size(); ++i) ASSERT_EQ(got[i], bf16_to_f32(quant::f32_to_bf16(want[i])) ) << i;
    EXPECT_EQ(src.tensor("norm.weight")->dtype, DType::F32);
  }
  const SafetensorsSource f32(path, {.fp8_type = DType::F32});
  EXPECT_EQ(test::to_floats(*f32.tensor("blk.weight")), want);
  const auto opened = ModelSource::open(path, {.fp8_type = DType::F32});
  EXPECT_EQ(test::to_floats(*opened->tensor("blk.weight")), want);
}

TEST(Fp8, MetadataReadersLeaveTheWeightsAsStored) {
  const test::TempDir dir;
  const auto path = folder(dir, fp8_tensors(random_weight(200, 130, DType::F32, 11)));
  const auto opened = ModelSource::open(path, {.convert_fp8 = false});
  ASSERT_NE(opened->tensor("blk.weight"), nullptr);
  EXPECT_EQ(opened->tensor("blk.weight")->dtype, DType::F8_E4M3);
  EXPECT_NE(opened->tensor("blk.weight_scale_inv"), nullptr);
}

TEST(Fp8, BlockTypesGoThroughTheEncoderRowByRow) {
  const test::TempDir dir;
  const Scaled s = random_weight(130, 256, DType::BF16, 5);
  const std::vector<float> want = fp8::dequantize(s.w);
  std::vector<float> seen(want.size());
  std::mutex m;
  // A stand-in for rbee::quant::quantize (formats does not link it): records the floats and
  // writes the row's first float in each 34-byte block of Q8_0.
  auto encode = [&](DType type, std::span<const float> x, std::span<const uint8_t> y) {
    ASSERT_EQ(type, DType::Q8_0);
    ASSERT_EQ(x.size(), 256u);
    ASSERT_EQ(y.size(), 8u * 34);
    std::lock_guard lock(m);
    // Rows are found back by their first value's position in `want` (codes are random).
    for (size_t r = 0; r < 130; ++r)
      if (std::equal(x.begin(), x.end(), want.begin() + r * 256)) std::copy(x.begin(), x.end(), seen.begin() + r * 256);
  };
  const SafetensorsSource src(folder(dir, fp8_tensors(s)),
                              {.fp8_type = DType::Q8_0,
                               .encode = [&](DType t, std::span<const float> x, std::span<uint8_t> y) { encode(t, x, y); },
                               .threads = 2});
  const TensorView* t = src.tensor("blk.weight");
  EXPECT_EQ(t->dtype, DType::Q8_0);
  EXPECT_EQ(t->nbytes, 130u * 8 * 34);
  EXPECT_EQ(seen, want);

  // Rows of 130 are not whole Q8_0 blocks: that weight stays BF16.
  const test::TempDir dir2;
  const Scaled odd = random_weight(200, 130, DType::F32, 6);
  const SafetensorsSource src2(folder(dir2, fp8_tensors(odd)),
                               {.fp8_type = DType::Q8_0, .encode = [](DType, std::span<const float>, std::span<uint8_t>) {
                                  FAIL() << "no row of 130 is encoded";
                                }});
  EXPECT_EQ(src2.tensor("blk.weight")->dtype, DType::BF16);
}

TEST(Fp8, HonoursTheBlockSizeOfQuantizationConfig) {
  const test::TempDir dir;
  Scaled s = random_weight(200, 130, DType::F32, 3);
  s.w.block_rows = 64;
  s.w.block_cols = 32;
  s.scales.resize(s.w.scale_rows() * s.w.scale_cols() * 4);
  for (size_t i = 0; i < s.scales.size() / 4; ++i) {
    const float f = 1e-3f * float(i + 1);
    std::memcpy(&s.scales[4 * i], &f, 4);
  }
  s.w.scales = s.scales.data();
  const auto path = folder(dir, fp8_tensors(s),
                           R"({"model_type": "x", "quantization_config": {"quant_method": "fp8", "fmt": "e4m3",
                               "weight_block_size": [64, 32], "activation_scheme": "dynamic"}})");
  const SafetensorsSource src(path, {.fp8_type = DType::F32});
  EXPECT_EQ(test::to_floats(*src.tensor("blk.weight")), fp8::dequantize(s.w));
}

TEST(Fp8, ClearErrors) {
  const Scaled s = random_weight(200, 130, DType::F32, 1);
  auto expect = [&](std::vector<test::StTensor> tensors, std::initializer_list<std::string_view> parts,
                    const std::string& config = R"({"model_type": "llama"})") {
    const test::TempDir dir;
    const auto path = folder(dir, tensors, config);
    expect_format_error([&] { SafetensorsSource src(path); }, parts);
  };
  auto t = fp8_tensors(s);
  expect({t[0], t[2]}, {"model.safetensors", "'blk.weight'", "'blk.weight_scale_inv'", "missing", "[2, 2]"});

  auto wrong_shape = t;
  wrong_shape[1].shape = {4, 1};
  expect(wrong_shape, {"model.safetensors", "'blk.weight_scale_inv'", "'blk.weight'", "[4, 1]", "expected", "[2, 2]"});

  auto wrong_type = t;
  wrong_type[1].dtype = "I32";
  expect(wrong_type, {"'blk.weight_scale_inv'", "i32", "expected F32 or BF16 [2, 2]"});

  auto not_fp8 = t;
  not_fp8[0].dtype = "I8";
  expect(not_fp8, {"'blk.weight_scale_inv'", "'blk.weight' is i8", "not an F8_E4M3 weight"});

  expect({{"v", "F8_E4M3", {4, 2, 2}, std::vector<uint8_t>(16)}}, {"'v'", "F8_E4M3 [4, 2, 2]", "2-D"});

  expect(t, {"config.json", "weight_block_size", "[128]"},
         R"({"model_type": "x", "quantization_config": {"quant_method": "fp8", "weight_block_size": [128]}})");
  expect(t, {"config.json", "fmt", "e5m2"},
         R"({"model_type": "x", "quantization_config": {"quant_method": "fp8", "fmt": "e5m2"}})");
}

TEST(Fp8, NonFiniteScaleIsRefused) {
  for (const float bad : {std::nanf(""), INFINITY}) {
    auto t = fp8_tensors(random_weight(200, 130, DType::F32, 3));
    std::memcpy(t[1].bytes.data() + 4 * 3, &bad, 4);  // block [1, 1]
    const test::TempDir dir;
    const auto path = folder(dir, t);
    expect_format_error([&] { SafetensorsSource src(path); },
                        {"model.safetensors", "'blk.weight_scale_inv'", "scale [1, 1]", "expected a finite number"});
  }
}

TEST(Fp8, FixtureHelperQuantizesLikeDeepSeek) {
  // The e4m3 encoder of the test helper is the inverse of the decoder on every finite code.
  for (unsigned c = 0; c < 256; ++c) {
    if ((c & 0x7f) != 0x7f && c != 0x80) {
      EXPECT_EQ(test::e4m3_encode(fp8::e4m3_to_float(uint8_t(c))), c);
    }
  }
  // The FP8 error of a weight w in a block of scale s: at most |w| * 2^-4 where w / s is a
  // normal e4m3 value (3 mantissa bits), at most s * 2^-10 among the subnormals.
  std::mt19937 rng(9);
  std::normal_distribution<float> normal(0.f, 0.05f);
  std::vector<float> w(200 * 130);
  for (auto& x : w) x = normal(rng);
  w[5] = 3.f;  // one outlier makes most of its block small, some subnormal
  const test::Fp8Weight q = test::fp8_quantize(w, 200, 130);
  const std::vector<float> back = test::fp8_dequantize_reference(q, 200, 130);
  for (uint64_t r = 0; r < 200; ++r)
    for (uint64_t c = 0; c < 130; ++c) {
      const size_t i = r * 130 + c;
      const float s = q.scales[r / 128 * 2 + c / 128];
      ASSERT_LE(std::fabs(back[i] - w[i]), 1.0001f * std::max(std::fabs(w[i]) * 0x1p-4f, s * 0x1p-10f)) << r << "," << c;
    }
  EXPECT_EQ(test::e4m3_encode(1000.f), 0x7e);
  EXPECT_EQ(test::e4m3_encode(-1000.f), 0xfe);

  const test::TempDir dir;
  const float worst = test::write_fp8_fixture(test::fixtures() / "tiny" / "llama", dir / "fp8", dir / "deq");
  EXPECT_GT(worst, 0.f);
  const SafetensorsSource orig(test::fixtures() / "tiny" / "llama");
  const SafetensorsSource fp8(dir / "fp8", {.fp8_type = DType::F32});
  const SafetensorsSource deq(dir / "deq");
  ASSERT_EQ(fp8.tensors().size(), orig.tensors().size());
  size_t converted = 0;
  for (const TensorView& t : orig.tensors()) {
    const TensorView* a = fp8.tensor(t.name);
    ASSERT_NE(a, nullptr) << t.name;
    converted += test::is_fp8_linear(t);
    EXPECT_EQ(test::to_floats(*a), test::to_floats(*deq.tensor(t.name))) << t.name;
  }
  EXPECT_EQ(converted, 14u);  // 7 linear weights in each of 2 layers
  EXPECT_EQ(*fp8.meta("quantization_config.quant_method"), "fp8");
}

}  // namespace
}  // namespace rbee
