// Out-of-range option values (issue: each ran with exit status 0): every numeric option of
// every command is refused while the command line is parsed, before any model loads, by an
// error naming the option and the values it takes.
#include <gtest/gtest.h>

#include "fixtures_path.hpp"
#include "host/rbee_process.hpp"

namespace rbee::test {
namespace {

const std::string kModel = (fixtures() / "tiny" / "llama" / "model-f32.gguf").string();

// A non-zero exit with one `rbee: error:` line naming `option` and what it expects, and no
// model loaded.
void expect_refused(const std::vector<std::string>& args, const std::string& option, const std::string& expected) {
  const auto r = run_rbee(args);
  EXPECT_TRUE(r.exited && r.status != 0) << r.describe();
  const auto lines = r.error_lines();
  ASSERT_EQ(lines.size(), 1u) << r.describe();
  EXPECT_EQ(lines[0].rfind("rbee: error: " + option + ":", 0), 0u) << r.describe();
  EXPECT_NE(lines[0].find("expected " + expected), std::string::npos) << r.describe();
  EXPECT_EQ(r.err.find("loading"), std::string::npos) << "refused after loading the model\n" << r.describe();
}

TEST(OptionRanges, Sampling) {
  for (const std::string& command : {"run", "chat", "serve"}) {
    SCOPED_TRACE(command);
    const std::vector<std::string> base{command, kModel};
    auto with = [&](std::vector<std::string> extra) {
      std::vector<std::string> args = base;
      args.insert(args.end(), extra.begin(), extra.end());
      return args;
    };
    expect_refused(with({"--temp", "-1"}), "--temp", "a number >= 0");
    expect_refused(with({"--temp", "nan"}), "--temp", "a number >= 0");
    expect_refused(with({"--temp", "inf"}), "--temp", "a number >= 0");
    expect_refused(with({"--top-p", "2"}), "--top-p", "a number > 0 and <= 1");
    expect_refused(with({"--top-p", "0"}), "--top-p", "a number > 0 and <= 1");
    expect_refused(with({"--top-k", "-5"}), "--top-k", "an integer >= 0");
    expect_refused(with({"--top-k", "1.5"}), "--top-k", "an integer >= 0");
    expect_refused(with({"--min-p", "2"}), "--min-p", "a number from 0 to 1");
    expect_refused(with({"--repeat-penalty", "0"}), "--repeat-penalty", "a number > 0");
    expect_refused(with({"--repeat-last-n", "-2"}), "--repeat-last-n", "an integer >= -1");
    expect_refused(with({"--presence-penalty", "3"}), "--presence-penalty", "a number from -2 to 2");
    expect_refused(with({"--frequency-penalty", "nan"}), "--frequency-penalty", "a number from -2 to 2");
    expect_refused(with({"--seed", "-5"}), "--seed", "an integer from 0 to");
    expect_refused(with({"--ctx", "-5"}), "--ctx", "an integer >= 0");
  }
}

TEST(OptionRanges, EdgesOfTheRangesAreAccepted) {
  // -1: the whole context (as llama.cpp's --repeat-last-n); 0 turns top-k and min-p off, 1 top-p.
  const auto r = run_rbee({"run", kModel, "-p", "Hello", "-n", "2", "--temp", "0", "--repeat-last-n", "-1", "--top-k",
                           "0", "--min-p", "0", "--top-p", "1", "--repeat-penalty", "1.1"});
  EXPECT_TRUE(r.exited && r.status == 0) << r.describe();
}

TEST(OptionRanges, Global) {
  expect_refused({"--device", "-1", "devices"}, "--device", "an integer >= 0");
  expect_refused({"--plugin-dir", "/nonexistent-rbee-plugins", "plugins"}, "--plugin-dir", "an existing folder");
  expect_refused({"--plugin-dir", kModel, "plugins"}, "--plugin-dir", "an existing folder");
}

TEST(OptionRanges, GenerationLengths) {
  expect_refused({"run", kModel, "-p", "Hi", "-n", "-1"}, "--n-predict", "an integer >= 0");
  expect_refused({"chat", kModel, "-n", "-2"}, "--n-predict", "an integer >= -1");
}

TEST(OptionRanges, Bench) {
  expect_refused({"bench", kModel, "-p", "-5"}, "--prompt", "an integer >= 0");
  expect_refused({"bench", kModel, "-p", "8,-5"}, "--prompt", "an integer >= 0");
  expect_refused({"bench", kModel, "-n", "-1"}, "--gen", "an integer >= 0");
  expect_refused({"bench", kModel, "-d", "0,-5"}, "--depth", "an integer >= 0");
  expect_refused({"bench", kModel, "--concurrency", "0"}, "--concurrency", "an integer >= 1");
  expect_refused({"bench", kModel, "-r", "0"}, "--repetitions", "an integer >= 1");
}

TEST(OptionRanges, Serve) {
  expect_refused({"serve", kModel, "--port", "70000"}, "--port", "an integer from 0 to 65535");
  expect_refused({"serve", kModel, "--parallel", "0"}, "--parallel", "an integer from 1 to 256");
  expect_refused({"serve", kModel, "--kv-budget", "-1"}, "--kv-budget", "an integer >= 0");
  expect_refused({"serve", kModel, "--timeout", "0"}, "--timeout", "an integer from 1 to 86400");
  expect_refused({"serve", kModel, "--max-body", "0"}, "--max-body", "an integer from 1 to");
}

TEST(OptionRanges, SynthSizesAreBoundedBeforeAllocating) {
  TempDir dir;
  const std::string out = (dir / "m.gguf").string();
  expect_refused({"synth", "--preset", "smollm2-135m", "-o", out, "--layers", "4000000000"}, "--layers",
                 "an integer from 1 to 1024");
  expect_refused({"synth", "--preset", "smollm2-135m", "-o", out, "--layers", "0"}, "--layers", "an integer from 1 to 1024");
  expect_refused({"synth", "--preset", "smollm2-135m", "-o", out, "--threads", "5000"}, "--threads",
                 "an integer from 0 to 1024");
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST(OptionRanges, HelpStatesTheRanges) {
  const auto r = run_rbee({"run", "--help"});
  ASSERT_TRUE(r.exited && r.status == 0) << r.describe();
  for (const char* range : {"a number >= 0", "a number > 0 and <= 1", "an integer >= -1"})
    EXPECT_NE(r.out.find(range), std::string::npos) << range << "\n" << r.describe();
  const auto synth = run_rbee({"synth", "--help"});
  EXPECT_NE(synth.out.find("1 to 1024"), std::string::npos) << synth.describe();
}

}  // namespace
}  // namespace rbee::test
