#include <gtest/gtest.h>

#include "fixtures_path.hpp"
#include "formats/gguf.hpp"
#include "formats/safetensors.hpp"
#include "temp_dir.hpp"
#include "formats/test_util.hpp"
#include "util/mapped_file.hpp"

namespace rbee {
namespace {

using test::expect_format_error;

TEST(ModelSource, OpensEitherFormat) {
  const auto llama = test::fixtures() / "tiny" / "llama";
  const auto gguf = ModelSource::open(llama / "model-f32.gguf");
  EXPECT_EQ(gguf->format(), ModelSource::Format::Gguf);
  EXPECT_EQ(gguf->path(), llama / "model-f32.gguf");
  EXPECT_NE(gguf->tensor("output.weight"), nullptr);

  const auto hf = ModelSource::open(llama);
  EXPECT_EQ(hf->format(), ModelSource::Format::Safetensors);
  EXPECT_EQ(hf->path(), llama);
  EXPECT_NE(hf->tensor("lm_head.weight"), nullptr);
  EXPECT_EQ(hf->tensors().size(), gguf->tensors().size());
}

TEST(ModelSource, ExplainsWhatIsWrong) {
  test::TempDir dir;
  expect_format_error([&] { ModelSource::open(dir.path() / "nope.gguf"); },
                      {"nope.gguf", "no such file or folder"});
  expect_format_error(
      [&] { ModelSource::open(test::fixtures() / "tiny" / "llama" / "model.safetensors"); },
      {"model.safetensors", "config.json", "pass the folder"});
  expect_format_error([&] { ModelSource::open(dir.path()); }, {"config.json"});
  dir.write("config.json", "{}");
  expect_format_error([&] { ModelSource::open(dir.path()); },
                      {"model.safetensors", "no model.safetensors"});
  expect_format_error([&] { ModelSource::open(dir.path() / "config.json"); },
                      {"config.json", "magic"});
}

TEST(MappedFile, MapsAndReportsErrors) {
  test::TempDir dir;
  const auto empty = MappedFile::open(dir.write("empty", std::string_view()));
  EXPECT_EQ(empty.size(), 0u);

  auto file = MappedFile::open(dir.write("abc", std::string_view("abc")));
  ASSERT_EQ(file.size(), 3u);
  EXPECT_EQ(file.data()[2], 'c');
  MappedFile moved = std::move(file);
  EXPECT_EQ(moved.size(), 3u);
  EXPECT_EQ(file.data(), nullptr);  // NOLINT(bugprone-use-after-move): moved-from is empty

  expect_format_error([&] { MappedFile::open(dir.path() / "missing"); }, {"missing", "cannot open"});
  expect_format_error([&] { MappedFile::open(dir.path()); }, {"not a regular file"});
}

TEST(DType, Traits) {
  const auto q4k = dtype_traits(static_cast<uint32_t>(DType::Q4_K));
  ASSERT_TRUE(q4k);
  EXPECT_EQ(q4k->block_elems, 256u);
  EXPECT_EQ(q4k->block_bytes, 144u);
  EXPECT_EQ(dtype_traits(static_cast<uint32_t>(DType::MXFP4))->block_bytes, 17u);
  EXPECT_EQ(dtype_traits(static_cast<uint32_t>(DType::BF16))->block_bytes, 2u);
  EXPECT_FALSE(dtype_traits(4));  // Q4_2, removed from GGML
  EXPECT_FALSE(dtype_traits(1000));
  EXPECT_EQ(dtype_name(DType::Q8_0), "q8_0");
}

}  // namespace
}  // namespace rbee
