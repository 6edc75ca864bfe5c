// `rbee run` with a missing model path or bad token ids: exit 1 with one meaningful error line.
#include <gtest/gtest.h>

#include "fixtures_path.hpp"
#include "host/rbee_process.hpp"

namespace rbee::test {
namespace {

const std::string kModel = (fixtures() / "tiny" / "llama" / "model-f32.gguf").string();

TEST(BadCliInput, PathDoesNotExist) {
  const std::string path = (std::filesystem::temp_directory_path() / "rbee-host-no-such-model.gguf").string();
  expect_clean_error_any(run_rbee({"run", path, "-p", "Hello", "-n", "4"}), path, {"no such"});
  expect_clean_error_any(run_rbee({"inspect", path}), path, {"no such"});
}

TEST(BadCliInput, TokenIdOutsideVocabulary) {
  const auto r = run_rbee({"run", kModel, "--ids", "5,99999", "-n", "4", "--temp", "0"});
  expect_clean_error(r, {"99999", "outside the vocabulary"});
}

TEST(BadCliInput, EmptyIds) {
  expect_clean_error(run_rbee({"run", kModel, "--ids", "", "-n", "4"}), {"--ids", "no token ids"});
}

TEST(BadCliInput, TokenIdOutsideVocabularyLogits) {
  TempDir dir;
  const auto r = run_rbee({"logits", kModel, "--ids", "5,99999", "-o", (dir / "out.f32").string()});
  expect_clean_error(r, {"99999"});
}

TEST(BadCliInput, TokenIdNotANumber) {
  const auto r = run_rbee({"run", kModel, "--ids", "5,abc", "-n", "4", "--temp", "0"});
  expect_clean_error(r, {"abc", "not a token id"});
  expect_clean_error(run_rbee({"logits", kModel, "--ids", "abc", "-o", "/dev/null"}), {"abc", "not a token id"});
}

// A generation cut short by a full context says so on stderr (it exits 0: the output is right).
TEST(BadCliInput, FullContextIsNoticed) {
  const auto r = run_rbee({"run", kModel, "-p", "Hello", "-n", "1000000", "--ctx", "8", "--temp", "0", "--ignore-eos"});
  ASSERT_TRUE(r.exited && r.status == 0) << r.describe();
  EXPECT_NE(r.err.find("stopped after"), std::string::npos) << r.describe();
  EXPECT_NE(r.err.find("the context of 8 tokens is full (raise --ctx)"), std::string::npos) << r.describe();
  const auto whole = run_rbee({"run", kModel, "-p", "Hello", "-n", "2", "--ctx", "8", "--temp", "0", "--ignore-eos"});
  EXPECT_EQ(whole.err.find("stopped after"), std::string::npos) << "all -n tokens came\n" << whole.describe();
}

// A KV cache larger than the device can hold is refused before it is allocated, with both sizes
// and the options that shrink it (lavapipe would overcommit, a GPU fail midway).
TEST(BadCliInput, KvCacheLargerThanTheDevice) {
  const auto r = run_rbee({"run", kModel, "-p", "Hello", "-n", "2", "--ctx", "4000000000"});
  expect_clean_error(r, {"the KV cache (", "MiB) and the weights (", "more than", "--ctx"});
}

}  // namespace
}  // namespace rbee::test
