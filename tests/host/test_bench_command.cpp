// `rbee bench`: tests at a depth of context (-d, as llama-bench's), concurrent requests
// (--concurrency), the JSON rows, and bad input.
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

TEST(BenchCommand, ConcurrencyGivesARowPerLevel) {
  const auto r = run_rbee({"bench", kTinyLlama.string(), "--concurrency", "1,2", "-p", "8", "-n", "4", "-r", "1", "--json"});
  ASSERT_TRUE(r.exited && r.status == 0) << r.describe();
  const auto out = nlohmann::json::parse(r.out);
  const auto& rows = out.at("results");
  ASSERT_EQ(rows.size(), 2u) << r.out;
  for (size_t i = 0; i < 2; ++i) {
    const int c = static_cast<int>(i) + 1;
    EXPECT_EQ(rows[i].at("test"), "c" + std::to_string(c) + " pp8 tg4") << rows[i].dump();
    EXPECT_EQ(rows[i].at("concurrency"), c) << rows[i].dump();
    EXPECT_EQ(rows[i].at("tokens"), 4 * c) << rows[i].dump();
    EXPECT_GT(rows[i].at("tokens_per_second").get<double>(), 0.0) << rows[i].dump();
    EXPECT_GT(rows[i].at("ttft_p50_ms").get<double>(), 0.0) << rows[i].dump();
    EXPECT_GE(rows[i].at("ttft_p99_ms").get<double>(), rows[i].at("ttft_p50_ms").get<double>()) << rows[i].dump();
  }
}

TEST(BenchCommand, ConcurrencyTableAndBadValues) {
  const auto r = run_rbee({"bench", kTinyLlama.string(), "--concurrency", "2", "-p", "8", "-n", "4", "-r", "1"});
  ASSERT_TRUE(r.exited && r.status == 0) << r.describe();
  EXPECT_NE(r.out.find("| c2 pp8 tg4 |"), std::string::npos) << r.describe();
  EXPECT_NE(r.out.find("TTFT p99"), std::string::npos) << r.describe();
  const auto zero = run_rbee({"bench", kTinyLlama.string(), "--concurrency", "0", "-r", "1"});
  EXPECT_TRUE(zero.exited && zero.status != 0) << zero.describe();
  EXPECT_NE((zero.out + zero.err).find("--concurrency"), std::string::npos) << zero.describe();
  const auto depth = run_rbee({"bench", kTinyLlama.string(), "--concurrency", "2", "-d", "16", "-r", "1"});
  expect_clean_error(depth, {"--depth", "--concurrency"});
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
