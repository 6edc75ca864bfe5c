// `rbee bench`: tests at a depth of context (-d, as llama-bench's), the JSON rows, and bad input.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "fixtures_path.hpp"
#include "rbee_process.hpp"

namespace rbee::test {
namespace {

const std::filesystem::path kTinyLlama = fixtures() / "tiny/llama/model-f32.gguf";

TEST(BenchCommand, DepthRunsEveryTestAfterThatContext) {
  const auto r = run_rbee({"bench", kTinyLlama.string(), "-p", "8", "-n", "4", "-d", "0,16", "-r", "1", "--json"});
  ASSERT_TRUE(r.exited && r.status == 0) << r.describe();
  const auto out = nlohmann::json::parse(r.out);
  const auto& rows = out.at("results");
  ASSERT_EQ(rows.size(), 4u) << r.out;
  // As llama-bench orders them: for each depth, the prompt tests, then the generation tests.
  const std::vector<std::pair<std::string, int>> expected = {{"pp8", 0}, {"tg4", 0}, {"pp8 @ d16", 16}, {"tg4 @ d16", 16}};
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(rows[i].at("test"), expected[i].first) << rows[i].dump();
    EXPECT_TRUE(rows[i].at("depth").is_number_integer()) << rows[i].dump();
    EXPECT_EQ(rows[i].at("depth"), expected[i].second) << rows[i].dump();
    EXPECT_EQ(rows[i].at("tokens"), i % 2 == 0 ? 8 : 4) << rows[i].dump();
    EXPECT_EQ(rows[i].at("repetitions"), 1) << rows[i].dump();
    EXPECT_GT(rows[i].at("tokens_per_second").get<double>(), 0.0) << rows[i].dump();
  }
}

TEST(BenchCommand, TableNamesTestsAtDepth) {
  const auto r = run_rbee({"bench", kTinyLlama.string(), "-p", "8", "-n", "0", "-d", "16", "-r", "1"});
  ASSERT_TRUE(r.exited && r.status == 0) << r.describe();
  EXPECT_NE(r.out.find("| pp8 @ d16 |"), std::string::npos) << r.describe();
}

TEST(BenchCommand, HelpNamesDepth) {
  const auto r = run_rbee({"bench", "--help"});
  EXPECT_NE(r.out.find("--depth"), std::string::npos) << r.describe();
}

TEST(BenchCommand, NegativeDepthIsACliError) {
  for (const char* depth : {"-1", "0,-5"}) {
    const auto r = run_rbee({"bench", kTinyLlama.string(), "-p", "8", "-n", "4", "-r", "1", "-d", depth});
    EXPECT_TRUE(r.exited) << r.describe();
    EXPECT_NE(r.status, 0) << r.describe();
    EXPECT_NE((r.out + r.err).find("--depth"), std::string::npos) << r.describe();
  }
}

TEST(BenchCommand, ContextTooSmallForDepthIsAClearError) {
  const auto r = run_rbee({"bench", kTinyLlama.string(), "-p", "8", "-n", "0", "-d", "16", "-r", "1", "--ctx", "16"});
  expect_clean_error(r, {"--depth", "--ctx"});
}

}  // namespace
}  // namespace rbee::test
