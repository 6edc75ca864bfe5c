// Help texts and `rbee devices`.
#include <gtest/gtest.h>

#include "host/rbee_process.hpp"

namespace rbee::test {
namespace {

void expect_help(const std::vector<std::string>& args, std::initializer_list<std::string> mentions) {
  const auto r = run_rbee(args);
  ASSERT_TRUE(r.exited && r.status == 0) << r.describe();
  EXPECT_TRUE(r.error_lines().empty()) << r.describe();
  for (const auto& m : mentions) EXPECT_NE(r.out.find(m), std::string::npos) << "help lacks " << m << "\n" << r.describe();
}

TEST(CliBasics, MainHelp) {
  expect_help({"--help"}, {"run", "logits", "inspect", "plugins", "devices", "--plugin-dir", "--device", "--verbose"});
}
TEST(CliBasics, RunHelp) {
  expect_help({"run", "--help"}, {"--prompt", "--ids", "--n-predict", "--temp", "--seed", "--top-k", "--top-p",
                                  "--ignore-eos", "--print-ids", "--kv-type", "--ctx"});
}
TEST(CliBasics, LogitsHelp) { expect_help({"logits", "--help"}, {"--ids", "--output", "--kv-type"}); }
TEST(CliBasics, InspectHelp) { expect_help({"inspect", "--help"}, {"model", "--plugin"}); }
TEST(CliBasics, PluginsHelp) { expect_help({"plugins", "--help"}, {"plugins"}); }
TEST(CliBasics, DevicesHelp) { expect_help({"devices", "--help"}, {"devices"}); }

TEST(CliBasics, NoSubcommandFails) {
  const auto r = run_rbee({});
  EXPECT_TRUE(r.exited) << r.describe();
  EXPECT_NE(r.status, 0) << r.describe();
}

TEST(CliBasics, DevicesListsOne) {
  const auto r = run_rbee({"devices"});
  ASSERT_TRUE(r.exited && r.status == 0) << r.describe();
  EXPECT_EQ(r.out.rfind("0", 0), 0u) << "device 0 should be listed first\n" << r.describe();
  EXPECT_NE(r.out.find("Vulkan"), std::string::npos) << r.describe();
  EXPECT_NE(r.out.find("*"), std::string::npos) << r.describe();
}

}  // namespace
}  // namespace rbee::test
