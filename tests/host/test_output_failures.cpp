// Output that cannot be written (a full disk, a closed stdout) and outputs that would overwrite
// an input: each ends in a clear error with a non-zero exit, not in exit status 0 with the
// output lost or the model destroyed.
#include <gtest/gtest.h>

#include "fixtures_path.hpp"
#include "host/rbee_process.hpp"

namespace rbee::test {
namespace {

const std::filesystem::path kModel = fixtures() / "tiny" / "llama" / "model-f32.gguf";

TEST(OutputFailures, FullDiskOnStdout) {
  const std::vector<std::vector<std::string>> commands{
      {"run", kModel.string(), "-p", "Hello", "-n", "4", "--temp", "0"},
      {"run", kModel.string(), "--ids", "1,2", "-n", "4", "--temp", "0", "--print-ids"},
      {"inspect", kModel.string()},
      {"tokenize", kModel.string(), "-p", "Hello"},
      {"detokenize", kModel.string(), "--ids", "1,2"},
      {"devices"},
      {"plugins"},
  };
  for (const auto& args : commands) {
    const auto r = run_rbee(args, {}, 600, Stdout::DevFull);
    expect_clean_error(r, {"cannot write the output", "No space left on device"});
  }
}

TEST(OutputFailures, ClosedStdout) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"run", kModel.string(), "-p", "Hello", "-n", "4", "--temp", "0"}, {"tokenize", kModel.string(), "-p", "Hello"}}) {
    const auto r = run_rbee(args, {}, 600, Stdout::Closed);
    expect_clean_error(r, {"cannot write the output"});
  }
}

TEST(OutputFailures, FullDiskOnOutputFile) {
  expect_clean_error(run_rbee({"logits", kModel.string(), "--ids", "1,2", "-o", "/dev/full"}),
                     {"cannot write /dev/full", "No space left on device"});
}

TEST(OutputFailures, LogitsRefuseToOverwriteTheModel) {
  TempDir dir;
  const auto model = dir / "model.gguf";
  std::filesystem::copy_file(kModel, model);
  const auto before = read_bytes(model);
  const auto link = dir / "same-model.gguf";
  std::filesystem::create_hard_link(model, link);
  for (const auto& output : {model, link}) {
    const auto r = run_rbee({"logits", model.string(), "--ids", "1,2", "-o", output.string()});
    expect_clean_error(r, {"--output", output.string(), "is an input"});
    EXPECT_EQ(r.err.find("loading"), std::string::npos) << "refused after loading\n" << r.describe();
  }
  EXPECT_EQ(read_bytes(model), before) << "the model file changed";
}

TEST(OutputFailures, LogitsRefuseToOverwriteAFileOfAModelFolder) {
  TempDir dir;
  std::filesystem::copy(fixtures() / "tiny" / "llama", dir / "llama");
  const auto config = dir / "llama" / "config.json";
  const auto before = read_text(config);
  const auto r = run_rbee({"logits", (dir / "llama").string(), "--ids", "1,2", "-o", config.string()});
  expect_clean_error(r, {"--output", config.string(), "is an input"});
  EXPECT_EQ(read_text(config), before);
}

}  // namespace
}  // namespace rbee::test
