// Malformed GGUF input: each case must end in a FormatError naming the file, never a crash.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <random>

#include "fixtures_path.hpp"
#include "formats/gguf.hpp"
#include "formats/gguf_writer.hpp"
#include "temp_dir.hpp"
#include "formats/test_util.hpp"

namespace rbee {
namespace {

using test::Bytes;
using test::expect_format_error;
using test::GgufWriter;

Bytes header(uint64_t n_tensors, uint64_t n_kv, uint32_t version = 3) {
  Bytes b;
  b.put<uint32_t>(0x46554747).put<uint32_t>(version).put<uint64_t>(n_tensors).put<uint64_t>(n_kv);
  return b;
}

class GgufErrors : public ::testing::Test {
 protected:
  // Writes `bytes` to bad.gguf and expects loading it to fail with `parts` in the message.
  void expect_error(const std::vector<uint8_t>& bytes, std::initializer_list<std::string_view> parts) {
    const auto path = dir_.write("bad.gguf", bytes);
    expect_format_error([&] { GgufSource src(path); }, {"bad.gguf"});
    expect_format_error([&] { GgufSource src(path); }, parts);
  }
  test::TempDir dir_;
};

TEST_F(GgufErrors, TruncatedAnywhere) {
  const auto path = test::fixtures() / "tiny" / "llama" / "model-f32.gguf";
  std::ifstream in(path, std::ios::binary);
  const std::vector<uint8_t> full((std::istreambuf_iterator<char>(in)), {});
  const GgufSource src(path);
  uint64_t data_end = 0;
  for (const auto& t : src.tensors())
    data_end = std::max<uint64_t>(data_end, t.data - src.file().data() + t.nbytes);
  ASSERT_LE(data_end, full.size());

  // Every cut in the first bytes, a dense spread through the key/values and tensor infos (a
  // stride of 7 lands in every field), then a spread through the data.
  std::vector<uint64_t> cuts;
  for (uint64_t cut = 0; cut < src.data_offset() + 8; cut += cut < 512 ? 1 : 7) cuts.push_back(cut);
  for (uint64_t cut = src.data_offset() + 8; cut < data_end; cut += (data_end - cut) / 16 + 1)
    cuts.push_back(cut);
  cuts.push_back(data_end - 1);

  const auto bad = dir_.path() / "cut.gguf";
  for (uint64_t cut : cuts) {
    std::ofstream(bad, std::ios::binary | std::ios::trunc)
        .write(reinterpret_cast<const char*>(full.data()), static_cast<std::streamsize>(cut));
    try {
      GgufSource cut_src(bad);
      ADD_FAILURE() << "cut at " << cut << " loaded";
    } catch (const FormatError& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find("cut.gguf"), std::string::npos) << msg;
      const bool meaningful = msg.find("truncated") != std::string::npos ||
                              msg.find("left") != std::string::npos ||
                              msg.find("outside") != std::string::npos ||
                              msg.find("short") != std::string::npos;
      EXPECT_TRUE(meaningful) << "cut at " << cut << ": " << msg;
    }
  }
}

// Random byte flips in the header: each file either loads or throws FormatError (under the
// sanitizers, without touching memory outside the mapping).
TEST_F(GgufErrors, CorruptedHeadersNeverCrash) {
  const auto path = test::fixtures() / "tiny" / "llama" / "model-f32.gguf";
  std::ifstream in(path, std::ios::binary);
  const std::vector<uint8_t> full((std::istreambuf_iterator<char>(in)), {});
  const uint64_t header_end = GgufSource(path).data_offset();
  std::mt19937_64 rng(1234);
  const auto bad = dir_.path() / "flipped.gguf";
  for (int round = 0; round < 300; ++round) {
    auto bytes = full;
    for (int flips = 1 + round % 4; flips > 0; --flips)
      bytes[8 + rng() % (header_end - 8)] = static_cast<uint8_t>(rng());
    std::ofstream(bad, std::ios::binary | std::ios::trunc)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    try {
      const GgufSource src(bad);
      for (const auto& t : src.tensors())
        EXPECT_LE(t.data + t.nbytes, src.file().data() + src.file().size()) << t.name;
    } catch (const FormatError& e) {
      EXPECT_NE(std::string(e.what()).find("flipped.gguf"), std::string::npos) << e.what();
    }
  }
}

TEST_F(GgufErrors, EmptyFileAndWrongMagic) {
  expect_error({}, {"short"});
  expect_error({'G', 'G', 'M', 'L', 3, 0, 0, 0}, {"magic", "GGML", "GGUF"});
  expect_error({0, 'G', 'G', 'U', 'F', 3, 0, 0, 0}, {"magic", "'?GGU'"});
}

TEST_F(GgufErrors, VersionOneIsRefused) {
  Bytes v1;
  v1.put<uint32_t>(0x46554747).put<uint32_t>(1).put<uint32_t>(0).put<uint32_t>(0);
  expect_error(v1.data, {"GGUF version 1 is not supported (v2 or v3 expected)"});

  const auto shared =
      test::shared_fixtures() / "third-party" / "models" / "tinyllamas-stories-260k-f32.gguf";
  if (!std::filesystem::exists(shared)) GTEST_SKIP() << shared << " is absent";
  expect_format_error([&] { GgufSource src(shared); },
                      {"tinyllamas-stories-260k-f32.gguf", "version 1 is not supported"});
}

TEST_F(GgufErrors, OtherVersionsAreRefused) {
  expect_error(header(0, 0, 4).data, {"version 4", "v2 or v3"});
  expect_error(header(0, 0, 0x03000000).data, {"big-endian"});
}

TEST_F(GgufErrors, AbsurdCounts) {
  expect_error(header(0, 1ull << 60).data, {"key/value count", "1152921504606846976"});
  expect_error(header(1ull << 60, 0).data, {"tensor count"});

  auto key_len = header(0, 1);
  key_len.put<uint64_t>(1ull << 62).put<uint64_t>(0).put<uint64_t>(0);  // room for one kv
  expect_error(key_len.data, {"string length 4611686018427387904", "metadata key #0"});

  auto value_len = header(0, 1);
  value_len.str("k").put<uint32_t>(test::kString).put<uint64_t>(1ull << 62);
  expect_error(value_len.data, {"string length", "'k'"});

  auto array_count = header(0, 1);
  array_count.str("arr").put<uint32_t>(test::kArray).put<uint32_t>(test::kU8).put<uint64_t>(1ull << 62);
  expect_error(array_count.data, {"array count", "'arr'"});

  auto strings = header(0, 1);  // each string needs 8 bytes: 100 of them cannot fit in 16
  strings.str("s").put<uint32_t>(test::kArray).put<uint32_t>(test::kString).put<uint64_t>(100);
  strings.put<uint64_t>(0).put<uint64_t>(0);
  expect_error(strings.data, {"array count", "'s'"});
}

TEST_F(GgufErrors, BadValueTypes) {
  auto type = header(0, 1);
  type.str("k").put<uint32_t>(13).put<uint64_t>(0);
  expect_error(type.data, {"unknown value type 13", "'k'"});

  auto elem = header(0, 1);
  elem.str("k").put<uint32_t>(test::kArray).put<uint32_t>(77).put<uint64_t>(0);
  expect_error(elem.data, {"unknown array element type 77"});

  auto deep = header(0, 1);
  deep.str("deep").put<uint32_t>(test::kArray);
  for (int i = 0; i < 40; ++i) deep.put<uint32_t>(test::kArray).put<uint64_t>(1);
  deep.put<uint32_t>(test::kU8).put<uint64_t>(0);
  expect_error(deep.data, {"nested", "'deep'"});

  GgufWriter twice;
  twice.scalar<uint8_t>("k", test::kU8, 1).scalar<uint8_t>("k", test::kU8, 2);
  expect_error(twice.bytes(), {"'k'", "twice"});
}

TEST_F(GgufErrors, BadAlignment) {
  for (uint32_t align : {0u, 48u}) {
    GgufWriter w;
    w.scalar<uint32_t>("general.alignment", test::kU32, align);
    expect_error(w.bytes(), {"general.alignment", "power of two"});
  }
  GgufWriter s;
  s.string("general.alignment", "3\xff" "2");  // not UTF-8 either
  expect_error(s.bytes(), {"general.alignment"});
}

TEST_F(GgufErrors, BadTensorInfos) {
  GgufWriter dims;
  dims.tensor("nine", {1, 1, 1, 1, 1, 1, 1, 1, 1}, 0, {0, 0, 0, 0});
  expect_error(dims.bytes(), {"'nine'", "n_dims is 9"});

  GgufWriter type;
  type.tensor("odd", {4}, 99, std::vector<uint8_t>(16));
  expect_error(type.bytes(), {"'odd'", "unknown GGML type 99"});

  GgufWriter overflow;
  overflow.tensor("huge", {1ull << 32, 1ull << 32, 2}, 0, {});
  expect_error(overflow.bytes(), {"'huge'", "overflows"});

  GgufWriter bytes_overflow;  // elements fit in 64 bits, bytes do not
  bytes_overflow.tensor("wide", {1ull << 32, 1ull << 31}, 0, {});
  expect_error(bytes_overflow.bytes(), {"'wide'", "overflows"});

  GgufWriter block;
  block.tensor("q", {16}, static_cast<uint32_t>(DType::Q8_0), std::vector<uint8_t>(34));
  expect_error(block.bytes(), {"'q'", "multiple of 32"});

  GgufWriter twice;
  twice.tensor("t", {4}, 0, std::vector<uint8_t>(16)).tensor("t", {4}, 0, std::vector<uint8_t>(16));
  expect_error(twice.bytes(), {"'t'", "twice"});
}

TEST_F(GgufErrors, TensorDataOutsideTheFile) {
  GgufWriter short_data;
  short_data.tensor("w", {64}, 0, std::vector<uint8_t>(100));  // 256 bytes declared
  expect_error(short_data.bytes(), {"'w'", "outside"});

  GgufWriter misaligned;
  misaligned.alignment = 4;  // the file itself keeps the default of 32
  misaligned.tensor("a", {1}, 0, std::vector<uint8_t>(4)).tensor("b", {1}, 0, std::vector<uint8_t>(4));
  expect_error(misaligned.bytes(), {"'b'", "aligned"});

  // An offset near 2^64 must not wrap around the range check.
  auto far = header(1, 0);
  far.str("far").put<uint32_t>(1).put<uint64_t>(4).put<uint32_t>(0).put<uint64_t>(~0ull - 31);
  expect_error(far.data, {"'far'", "outside"});
}

}  // namespace
}  // namespace rbee
