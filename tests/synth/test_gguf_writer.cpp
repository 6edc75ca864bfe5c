// The streaming GGUF writer against rbee's own reader: every metadata type, tensor layout and
// alignment, the temporary file and its rename.
#include <gtest/gtest.h>

#include <cstring>
#include <numeric>

#include "formats/gguf.hpp"
#include "gguf_kv_types.hpp"
#include "synth/gguf_writer.hpp"
#include "temp_dir.hpp"

namespace rbee::synth {
namespace {

TEST(GgufWriter, EveryMetadataTypeReadsBack) {
  test::TempDir dir;
  const auto path = dir.path() / "meta.gguf";
  GgufWriter w;
  w.add_u8("u8", 200);
  w.add_i8("i8", -100);
  w.add_u16("u16", 60000);
  w.add_i16("i16", -30000);
  w.add_u32("u32", 4000000000u);
  w.add_i32("i32", -2000000000);
  w.add_u64("u64", 1ull << 40);
  w.add_i64("i64", -(1ll << 40));
  w.add_f32("f32", 1.5f);
  w.add_f64("f64", 0.25);
  w.add_bool("bool", true);
  w.add_string("str", "h\xC3\xA9llo");
  const std::vector<std::string> strings = {"a", "", "\xE2\x96\x81x"};
  w.add_array("strs", std::span<const std::string>(strings));
  const std::vector<float> floats = {1, -2, 0.5};
  w.add_array("f32s", std::span<const float>(floats));
  const std::vector<int32_t> ints = {-1, 0, 7};
  w.add_array("i32s", std::span<const int32_t>(ints));
  const std::vector<uint8_t> bytes = {1, 2};
  w.add_array("u8s", std::span<const uint8_t>(bytes));
  const std::vector<uint64_t> u64s = {5};
  w.add_array("u64s", std::span<const uint64_t>(u64s));
  w.add_bool_array("bools", {true, false});
  EXPECT_THROW(w.add_u32("u32", 1), std::invalid_argument);
  w.open(path);
  w.finish();

  GgufSource src(path);
  EXPECT_EQ(src.version(), 3u);
  EXPECT_EQ(*src.meta("u8"), 200);
  EXPECT_EQ(*src.meta("i8"), -100);
  EXPECT_EQ(*src.meta("u16"), 60000);
  EXPECT_EQ(*src.meta("i16"), -30000);
  EXPECT_EQ(*src.meta("u32"), 4000000000u);
  EXPECT_EQ(*src.meta("i32"), -2000000000);
  EXPECT_EQ(*src.meta("u64"), 1ull << 40);
  EXPECT_EQ(*src.meta("i64"), -(1ll << 40));
  EXPECT_EQ(src.meta("f32")->get<float>(), 1.5f);
  EXPECT_EQ(src.meta("f64")->get<double>(), 0.25);
  EXPECT_EQ(*src.meta("bool"), true);
  EXPECT_EQ(*src.meta("str"), "h\xC3\xA9llo");
  EXPECT_EQ(src.meta("strs")->get<std::vector<std::string>>(), strings);
  EXPECT_EQ(src.meta("f32s")->get<std::vector<float>>(), floats);
  EXPECT_EQ(src.meta("i32s")->get<std::vector<int32_t>>(), ints);
  EXPECT_EQ(src.meta("u8s")->get<std::vector<uint8_t>>(), bytes);
  EXPECT_EQ(src.meta("u64s")->get<std::vector<uint64_t>>(), u64s);
  EXPECT_EQ(src.meta("bools")->get<std::vector<bool>>(), (std::vector<bool>{true, false}));

  const auto types = test::gguf_kv_types(path);
  EXPECT_EQ(types.at("u8").type, 0u);
  EXPECT_EQ(types.at("i16").type, 3u);
  EXPECT_EQ(types.at("u32").type, 4u);
  EXPECT_EQ(types.at("f32").type, 6u);
  EXPECT_EQ(types.at("bool").type, 7u);
  EXPECT_EQ(types.at("str").type, 8u);
  EXPECT_EQ(types.at("f64").type, 12u);
  EXPECT_EQ(types.at("strs").type, 9u);
  EXPECT_EQ(types.at("strs").elem, 8u);
  EXPECT_EQ(types.at("i32s").elem, 5u);
}

TEST(GgufWriter, TensorsStreamInPiecesAlignedTo32) {
  test::TempDir dir;
  const auto path = dir.path() / "t.gguf";
  GgufWriter w;
  w.add_string("general.architecture", "x");
  w.add_tensor("a", {3}, DType::F32);        // 12 bytes: the next tensor is padded
  w.add_tensor("b", {64, 2}, DType::Q8_0);   // 2 rows of 2 blocks of 34 bytes
  w.add_tensor("c", {5, 1}, DType::F16);
  EXPECT_THROW(w.add_tensor("d", {48}, DType::Q4_K), std::invalid_argument);  // not whole blocks
  EXPECT_THROW(w.add_tensor("a", {4}, DType::F32), std::invalid_argument);
  const uint64_t expect_size = w.file_size();
  w.open(path);
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "t.gguf.tmp"));
  EXPECT_FALSE(std::filesystem::exists(path));
  const float a[3] = {1, 2, 3};
  w.write({reinterpret_cast<const uint8_t*>(a), sizeof a});
  std::vector<uint8_t> b(136);
  std::iota(b.begin(), b.end(), 0);
  w.write(std::span(b).first(50));  // tensor b in two pieces
  w.write(std::span(b).subspan(50));
  std::vector<uint8_t> c(10, 0x3c);
  w.write(c);
  EXPECT_THROW(w.write(c), std::logic_error);
  w.finish();
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "t.gguf.tmp"));
  EXPECT_EQ(std::filesystem::file_size(path), expect_size);

  GgufSource src(path);
  ASSERT_EQ(src.tensors().size(), 3u);
  for (const auto& t : src.tensors()) EXPECT_EQ((t.data - src.file().data() - src.data_offset()) % 32, 0u) << t.name;
  EXPECT_EQ(src.data_offset() % 32, 0u);
  const TensorView* ta = src.tensor("a");
  EXPECT_EQ(std::memcmp(ta->data, a, sizeof a), 0);
  const TensorView* tb = src.tensor("b");
  EXPECT_EQ(tb->dtype, DType::Q8_0);
  EXPECT_EQ(tb->shape, (std::vector<uint64_t>{2, 64}));
  EXPECT_EQ(std::memcmp(tb->data, b.data(), b.size()), 0);
  EXPECT_EQ(src.tensor("c")->nbytes, 10u);
}

TEST(GgufWriter, UnfinishedFileLeavesNothingBehind) {
  test::TempDir dir;
  {
    GgufWriter w;
    w.add_tensor("a", {4}, DType::F32);
    w.open(dir.path() / "x.gguf");
    const float a[2] = {};
    w.write({reinterpret_cast<const uint8_t*>(a), sizeof a});
    EXPECT_THROW(w.finish(), std::logic_error);
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

}  // namespace
}  // namespace rbee::synth
