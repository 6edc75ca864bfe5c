#include <gtest/gtest.h>

#include <fstream>

#include "fixtures_path.hpp"
#include "formats/safetensors.hpp"
#include "temp_dir.hpp"
#include "formats/test_util.hpp"

namespace rbee {
namespace {

using test::expect_format_error;

// A safetensors file: the 8-byte header length, the header text, then `data_size` zero bytes.
std::vector<uint8_t> safetensors_bytes(std::string_view header, size_t data_size) {
  std::vector<uint8_t> out(8 + header.size() + data_size);
  const uint64_t n = header.size();
  std::memcpy(out.data(), &n, 8);
  std::memcpy(out.data() + 8, header.data(), header.size());
  return out;
}

constexpr std::string_view kConfig = R"({"model_type": "llama", "rope_theta": 10000.0})";

TEST(Safetensors, LoadsLlamaFolder) {
  const SafetensorsSource src(test::fixtures() / "tiny" / "llama");
  EXPECT_EQ(src.format(), ModelSource::Format::Safetensors);
  ASSERT_NE(src.meta("model_type"), nullptr);
  EXPECT_EQ(*src.meta("model_type"), "llama");
  EXPECT_EQ(*src.meta("num_hidden_layers"), 2);
  EXPECT_EQ(*src.meta("rope_parameters.rope_theta"), 10000.0);
  EXPECT_EQ(src.meta("rope_parameters.nope"), nullptr);
  EXPECT_EQ(src.meta("model_type.deeper"), nullptr);

  const auto* embd = src.tensor("model.embed_tokens.weight");
  ASSERT_NE(embd, nullptr);
  EXPECT_EQ(embd->dtype, DType::F32);
  EXPECT_EQ(embd->shape, (std::vector<uint64_t>{512, 64}));
  EXPECT_EQ(embd->nbytes, 512u * 64 * 4);
  EXPECT_EQ(src.tensor("model.layers.1.mlp.down_proj.weight")->shape,
            (std::vector<uint64_t>{64, 128}));
  EXPECT_EQ(src.tensor("__metadata__"), nullptr);
}

TEST(Safetensors, LoadsBf16Folder) {
  const SafetensorsSource src(test::fixtures() / "tiny" / "llama_bf16");
  for (const auto& t : src.tensors()) EXPECT_EQ(t.dtype, DType::BF16) << t.name;
}

TEST(Safetensors, LoadsShardedFolder) {
  const auto folder = test::shared_fixtures() / "tiny" / "mixtral_sharded";
  if (!std::filesystem::exists(folder)) GTEST_SKIP() << folder << " is absent";
  const SafetensorsSource src(folder);
  const auto index = nlohmann::json::parse(std::ifstream(folder / "model.safetensors.index.json"));
  EXPECT_EQ(src.tensors().size(), index["weight_map"].size());
  for (const auto& [name, shard] : index["weight_map"].items())
    EXPECT_NE(src.tensor(name), nullptr) << name;
}

class SafetensorsErrors : public ::testing::Test {
 protected:
  // A folder holding config.json and model.safetensors with `header` and `data_size` bytes.
  std::filesystem::path folder(std::string_view header, size_t data_size) {
    dir_.write("config.json", kConfig);
    dir_.write("model.safetensors", safetensors_bytes(header, data_size));
    return dir_.path();
  }
  void expect_error(std::string_view header, size_t data_size,
                    std::initializer_list<std::string_view> parts) {
    const auto path = folder(header, data_size);
    expect_format_error([&] { SafetensorsSource src(path); }, {"model.safetensors"});
    expect_format_error([&] { SafetensorsSource src(path); }, parts);
  }
  test::TempDir dir_;
};

TEST_F(SafetensorsErrors, HeaderLength) {
  dir_.write("config.json", kConfig);
  dir_.write("model.safetensors", std::string_view("\x10\0\0", 3));
  expect_format_error([&] { SafetensorsSource src(dir_.path()); }, {"model.safetensors", "short"});

  auto bytes = safetensors_bytes("{}", 0);
  const uint64_t too_long = 1000;
  std::memcpy(bytes.data(), &too_long, 8);
  dir_.write("model.safetensors", bytes);
  expect_format_error([&] { SafetensorsSource src(dir_.path()); },
                      {"model.safetensors", "header length 1000 exceeds"});

  const uint64_t absurd = 1ull << 62;
  std::memcpy(bytes.data(), &absurd, 8);
  dir_.write("model.safetensors", bytes);
  expect_format_error([&] { SafetensorsSource src(dir_.path()); }, {"100 MiB"});
}

TEST_F(SafetensorsErrors, HeaderNotJson) {
  expect_error("{\"a\": [1, 2", 0, {"not valid JSON"});
  expect_error("[1, 2]", 0, {"not a JSON object"});
}

TEST_F(SafetensorsErrors, BadEntries) {
  expect_error(R"({"w": 5})", 0, {"'w'", "object"});
  expect_error(R"({"w": {"dtype": "F8_E4M3", "shape": [2], "data_offsets": [0, 2]}})", 2,
               {"'w'", "F8_E4M3"});
  expect_error(R"({"w": {"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]}})", 8,
               {"'w'", "shape"});
  expect_error(R"({"w": {"dtype": "F32", "shape": [2], "data_offsets": [0]}})", 8,
               {"'w'", "data_offsets"});
  expect_error(R"({"w": {"dtype": "F32", "data_offsets": [0, 8]}})", 8, {"'w'", "shape"});
}

TEST_F(SafetensorsErrors, HeaderLiesAboutSizes) {
  expect_error(R"({"w": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 16]}})", 16,
               {"'w'", "needs 24 bytes"});
  expect_error(R"({"w": {"dtype": "F32", "shape": [4294967296, 4294967296], "data_offsets": [0, 0]}})",
               0, {"'w'", "overflows"});
}

TEST_F(SafetensorsErrors, RangePastEnd) {
  expect_error(R"({"w": {"dtype": "F16", "shape": [8], "data_offsets": [0, 16]}})", 10,
               {"'w'", "outside"});
  expect_error(R"({"w": {"dtype": "F16", "shape": [0], "data_offsets": [8, 4]}})", 10,
               {"'w'", "outside"});
}

TEST_F(SafetensorsErrors, OverlappingRanges) {
  expect_error(R"({"a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]},
                   "b": {"dtype": "F32", "shape": [4], "data_offsets": [8, 24]}})",
               24, {"'a'", "'b'", "overlapping"});
}

TEST_F(SafetensorsErrors, ShardedFolders) {
  const std::string one = R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}})";
  dir_.write("config.json", kConfig);
  dir_.write("s1.safetensors", safetensors_bytes(one, 4));
  dir_.write("model.safetensors.index.json",
             R"({"weight_map": {"a": "s1.safetensors", "b": "s2.safetensors"}})");
  expect_format_error([&] { SafetensorsSource src(dir_.path()); },
                      {"s2.safetensors", "missing", "'b'"});

  dir_.write("s2.safetensors", safetensors_bytes(one, 4));  // holds "a", not "b"
  expect_format_error([&] { SafetensorsSource src(dir_.path()); },
                      {"s2.safetensors", "'b'", "missing"});

  dir_.write("model.safetensors.index.json",
             R"({"weight_map": {"a": "s1.safetensors", "c": "s2.safetensors"}})");
  dir_.write("s2.safetensors",
             safetensors_bytes(R"({"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},
                                   "c": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}})",
                               8));
  expect_format_error([&] { SafetensorsSource src(dir_.path()); }, {"'a'", "twice"});

  dir_.write("model.safetensors.index.json", R"({"weight_map": {"a": "../s1.safetensors"}})");
  expect_format_error([&] { SafetensorsSource src(dir_.path()); },
                      {"model.safetensors.index.json", "file name"});

  dir_.write("model.safetensors.index.json", R"({"metadata": {}})");
  expect_format_error([&] { SafetensorsSource src(dir_.path()); }, {"weight_map"});

  dir_.write("model.safetensors.index.json", R"({"weight_map": {"a": "s1.safetensors"}})");
  const SafetensorsSource ok(dir_.path());
  EXPECT_EQ(ok.tensors().size(), 1u);
  EXPECT_NE(ok.tensor("a"), nullptr);
}

}  // namespace
}  // namespace rbee
