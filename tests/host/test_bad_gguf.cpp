// `rbee run` / `rbee inspect` on broken GGUF files: exit 1 with one error line naming the file.
#include <gtest/gtest.h>

#include "fixtures_path.hpp"
#include "formats/gguf.hpp"
#include "host/gguf_layout.hpp"
#include "host/rbee_process.hpp"

namespace rbee::test {
namespace {

class BadGguf : public ::testing::Test {
 protected:
  void SetUp() override {
    source_ = fixtures() / "tiny" / "llama" / "model-f32.gguf";
    full_ = read_bytes(source_);
    ASSERT_GT(full_.size(), 1000u);
    layout_ = gguf_layout(full_);
    data_offset_ = GgufSource(source_).data_offset();
  }
  std::filesystem::path write(const std::string& name, const std::vector<uint8_t>& bytes) {
    auto p = dir_ / name;
    write_bytes(p, bytes);
    return p;
  }
  std::filesystem::path cut(const std::string& name, uint64_t size) {
    return write(name, std::vector<uint8_t>(full_.begin(), full_.begin() + static_cast<long>(size)));
  }
  static RunResult run(const std::filesystem::path& p) { return run_rbee({"run", p.string(), "-p", "Hello", "-n", "4"}); }
  static RunResult inspect(const std::filesystem::path& p) { return run_rbee({"inspect", p.string()}); }

  TempDir dir_;
  std::filesystem::path source_;
  std::vector<uint8_t> full_;
  GgufLayout layout_;
  uint64_t data_offset_ = 0;
};

TEST_F(BadGguf, TruncatedTo3Bytes) {
  expect_clean_error_any(run(cut("cut3.gguf", 3)), "cut3.gguf", {"too short", "truncated"});
}

TEST_F(BadGguf, TruncatedTo20Bytes) {
  expect_clean_error_any(run(cut("cut20.gguf", 20)), "cut20.gguf", {"truncated"});
}

TEST_F(BadGguf, TruncatedMidMetadata) {
  ASSERT_LT(layout_.kv_start, layout_.kv_end);
  for (uint64_t at : {layout_.kv_start + 3, (layout_.kv_start + layout_.kv_end) / 2, layout_.kv_end - 1}) {
    SCOPED_TRACE("cut at " + std::to_string(at));
    expect_clean_error_any(run(cut("cut-meta.gguf", at)), "cut-meta.gguf", {"truncated", "exceeds", "more than"});
  }
}

TEST_F(BadGguf, TruncatedMidTensorInfos) {
  ASSERT_LT(layout_.kv_end, layout_.tensor_infos_end);
  for (uint64_t at : {layout_.kv_end + 5, (layout_.kv_end + layout_.tensor_infos_end) / 2, layout_.tensor_infos_end - 2}) {
    SCOPED_TRACE("cut at " + std::to_string(at));
    expect_clean_error_any(run(cut("cut-infos.gguf", at)), "cut-infos.gguf", {"truncated", "exceeds", "more than"});
  }
}

TEST_F(BadGguf, TruncatedMidData) {
  for (uint64_t at : {data_offset_ + 16, (data_offset_ + full_.size()) / 2, full_.size() - 1}) {
    SCOPED_TRACE("cut at " + std::to_string(at));
    expect_clean_error_any(run(cut("cut-data.gguf", at)), "cut-data.gguf", {"outside", "truncated", "past the end"});
  }
}

TEST_F(BadGguf, TruncatedInspect) {
  expect_clean_error_any(inspect(cut("cut-inspect.gguf", (data_offset_ + full_.size()) / 2)), "cut-inspect.gguf",
                         {"outside", "truncated", "past the end"});
}

TEST_F(BadGguf, WrongMagic) {
  auto b = full_;
  b[3] = 'X';
  expect_clean_error_any(run(write("magic.gguf", b)), "magic.gguf", {"not a GGUF", "magic"});
  expect_clean_error_any(inspect(write("magic.gguf", b)), "magic.gguf", {"not a GGUF", "magic"});
}

TEST_F(BadGguf, TensorDataPastTheEnd) {
  auto b = full_;
  patch<uint64_t>(b, layout_.first_offset, (full_.size() - data_offset_ + 32) / 32 * 32);
  expect_clean_error_any(run(write("offset.gguf", b)), "offset.gguf", {"outside", "past the end"});
}

TEST_F(BadGguf, HugeKvCount) {
  auto b = full_;
  patch<uint64_t>(b, 16, uint64_t(1) << 62);
  expect_clean_error_any(run(write("kvcount.gguf", b)), "kvcount.gguf", {"more than", "count"});
}

TEST_F(BadGguf, HugeStringLength) {
  auto b = full_;
  patch<uint64_t>(b, layout_.first_key_len, uint64_t(1) << 62);
  expect_clean_error_any(run(write("strlen.gguf", b)), "strlen.gguf", {"string length", "exceeds"});
}

TEST_F(BadGguf, HugeTensorCount) {
  auto b = full_;
  patch<uint64_t>(b, 8, uint64_t(1) << 62);
  expect_clean_error_any(run(write("tcount.gguf", b)), "tcount.gguf", {"more than", "count"});
}

TEST_F(BadGguf, NineDimensions) {
  auto b = full_;
  patch<uint32_t>(b, layout_.first_ndims, 9);
  expect_clean_error_any(run(write("ndims.gguf", b)), "ndims.gguf", {"n_dims"});
}

TEST_F(BadGguf, SyntheticVersion1) {
  std::vector<uint8_t> b{'G', 'G', 'U', 'F', 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  expect_clean_error_any(run(write("v1.gguf", b)), "v1.gguf", {"version 1"});
}

TEST_F(BadGguf, RealVersion1File) {
  const auto path = shared_fixtures() / "third-party" / "models" / "tinyllamas-stories-260k-f32.gguf";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << path << " is absent";
  expect_clean_error_any(run(path), "tinyllamas-stories-260k-f32.gguf", {"version 1"});
  expect_clean_error_any(inspect(path), "tinyllamas-stories-260k-f32.gguf", {"version 1"});
}

}  // namespace
}  // namespace rbee::test
