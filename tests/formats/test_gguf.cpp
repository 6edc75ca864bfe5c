#include <gtest/gtest.h>

#include "fixtures_path.hpp"
#include "formats/gguf.hpp"
#include "formats/gguf_writer.hpp"
#include "temp_dir.hpp"
#include "formats/test_util.hpp"

namespace rbee {
namespace {

using test::Bytes;
using test::GgufWriter;

std::filesystem::path tiny(const char* family, const char* file) {
  return test::fixtures() / "tiny" / family / file;
}

TEST(Gguf, LoadsLlamaF32) {
  const GgufSource src(tiny("llama", "model-f32.gguf"));
  EXPECT_EQ(src.format(), ModelSource::Format::Gguf);
  EXPECT_EQ(src.version(), 3u);
  EXPECT_EQ(src.alignment(), 32u);
  ASSERT_NE(src.meta("general.architecture"), nullptr);
  EXPECT_EQ(*src.meta("general.architecture"), "llama");
  ASSERT_NE(src.meta("llama.block_count"), nullptr);
  EXPECT_EQ(*src.meta("llama.block_count"), 2);
  EXPECT_EQ(src.meta("no.such.key"), nullptr);

  const auto* tokens = src.meta("tokenizer.ggml.tokens");
  ASSERT_NE(tokens, nullptr);
  ASSERT_TRUE(tokens->is_array());
  EXPECT_EQ(tokens->size(), 512u);
  for (const auto& t : *tokens) EXPECT_TRUE(t.is_string());

  const auto* embd = src.tensor("token_embd.weight");
  ASSERT_NE(embd, nullptr);
  EXPECT_EQ(embd->shape, (std::vector<uint64_t>{512, 64}));
  EXPECT_EQ(embd->dtype, DType::F32);
  EXPECT_EQ(GgufSource::ggml_type(*embd), 0u);
  EXPECT_EQ(embd->nbytes, 512u * 64 * 4);
  EXPECT_EQ(src.tensor("no.such.tensor"), nullptr);
}

TEST(Gguf, EveryTensorLiesInTheFile) {
  for (const char* file : {"model-f32.gguf", "model-f16.gguf", "model-bf16.gguf", "model-q8_0.gguf"}) {
    const auto path = tiny("llama", file);
    const GgufSource src(path);
    const auto size = std::filesystem::file_size(path);
    ASSERT_FALSE(src.tensors().empty()) << file;
    for (const auto& t : src.tensors()) {
      ASSERT_NE(t.data, nullptr) << t.name;
      const uint64_t begin = t.data - src.file().data();
      EXPECT_GE(begin, src.data_offset()) << t.name;
      EXPECT_LE(begin + t.nbytes, size) << t.name;
      EXPECT_EQ(reinterpret_cast<uintptr_t>(t.data) % src.alignment(), 0u) << t.name;
    }
  }
}

TEST(Gguf, HalfPrecisionFilesHaveTheirDTypes) {
  const GgufSource f16(tiny("llama", "model-f16.gguf"));
  const GgufSource bf16(tiny("llama", "model-bf16.gguf"));
  const GgufSource q8(tiny("llama", "model-q8_0.gguf"));
  EXPECT_EQ(f16.tensor("token_embd.weight")->dtype, DType::F16);
  EXPECT_EQ(bf16.tensor("token_embd.weight")->dtype, DType::BF16);
  EXPECT_EQ(bf16.tensor("token_embd.weight")->nbytes, 512u * 64 * 2);
  EXPECT_EQ(q8.tensor("blk.0.ffn_up.weight")->dtype, DType::Q8_0);
  EXPECT_EQ(q8.tensor("blk.0.ffn_up.weight")->nbytes, 128u * 64 / 32 * 34);
  // Norms stay F32 in every variant.
  EXPECT_EQ(f16.tensor("output_norm.weight")->dtype, DType::F32);
}

TEST(Gguf, ParsesEveryValueTypeAndNestedArrays) {
  Bytes nested;
  nested.put<uint32_t>(test::kU32).put<uint64_t>(3).put<uint32_t>(1).put<uint32_t>(2).put<uint32_t>(3);
  nested.put<uint32_t>(test::kString).put<uint64_t>(2).str("a").str("bc");
  nested.put<uint32_t>(test::kI8).put<uint64_t>(0);
  Bytes outer;
  outer.put<uint32_t>(test::kArray).put<uint64_t>(3).append(nested);

  const std::string raw_bytes("h\xffi\0j", 5);  // not UTF-8, with a NUL: kept as is
  GgufWriter w;
  w.scalar<uint8_t>("u8", test::kU8, 200)
      .scalar<int8_t>("i8", test::kI8, -5)
      .scalar<uint16_t>("u16", test::kU16, 60000)
      .scalar<int16_t>("i16", test::kI16, -30000)
      .scalar<uint32_t>("u32", test::kU32, 4000000000u)
      .scalar<int32_t>("i32", test::kI32, -2000000000)
      .scalar<float>("f32", test::kF32, 1.5f)
      .scalar<uint8_t>("bool", test::kBool, 1)
      .scalar<uint64_t>("u64", test::kU64, (1ull << 63) + 5)
      .scalar<int64_t>("i64", test::kI64, -(1ll << 62))
      .scalar<double>("f64", test::kF64, 0.1)
      .string("str", raw_bytes)
      .kv("nested", test::kArray, outer);
  const std::vector<float> values{1, 2, 3, 4, 5, 6};
  std::vector<uint8_t> data(values.size() * 4);
  std::memcpy(data.data(), values.data(), data.size());
  w.tensor("t", {3, 2}, 0, data);

  test::TempDir dir;
  for (uint32_t version : {2u, 3u}) {
    const GgufSource src(dir.write("all.gguf", w.bytes(version)));
    EXPECT_EQ(src.version(), version);
    const auto& m = src.metadata();
    EXPECT_EQ(m.size(), 13u);
    EXPECT_EQ(m["u8"], 200);
    EXPECT_EQ(m["i8"], -5);
    EXPECT_EQ(m["u16"], 60000);
    EXPECT_EQ(m["i16"], -30000);
    EXPECT_EQ(m["u32"], 4000000000u);
    EXPECT_EQ(m["i32"], -2000000000);
    EXPECT_EQ(m["f32"], 1.5);
    EXPECT_EQ(m["bool"], true);
    EXPECT_EQ(m["u64"], (1ull << 63) + 5);
    EXPECT_EQ(m["i64"], -(1ll << 62));
    EXPECT_EQ(m["f64"], 0.1);
    EXPECT_EQ(m["str"].get<std::string>(), raw_bytes);
    EXPECT_EQ(m["nested"], nlohmann::json::parse(R"([[1,2,3],["a","bc"],[]])"));

    const auto* t = src.tensor("t");
    ASSERT_NE(t, nullptr);
    EXPECT_EQ(t->shape, (std::vector<uint64_t>{2, 3}));
    EXPECT_EQ(test::to_floats(*t), values);
  }
}

TEST(Gguf, HonoursGeneralAlignment) {
  GgufWriter w;
  w.alignment = 64;
  w.scalar<uint32_t>("general.alignment", test::kU32, 64);
  w.tensor("a", {4}, 0, std::vector<uint8_t>(16, 1)).tensor("b", {4}, 0, std::vector<uint8_t>(16, 2));
  test::TempDir dir;
  const GgufSource src(dir.write("aligned.gguf", w.bytes()));
  EXPECT_EQ(src.alignment(), 64u);
  EXPECT_EQ(src.data_offset() % 64, 0u);
  EXPECT_EQ(src.tensor("b")->data - src.tensor("a")->data, 64);
  EXPECT_EQ(src.tensor("b")->data[0], 2);
}

}  // namespace
}  // namespace rbee
