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

}  // namespace
}  // namespace rbee::test
