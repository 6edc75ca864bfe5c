// Plugin discovery through the real binary: RBEE_PLUGIN_PATH order, junk files, the listing.
#include <gtest/gtest.h>

#include "fixtures_path.hpp"
#include "host/rbee_process.hpp"

namespace rbee::test {
namespace {

std::string line_starting(const std::string& text, const std::string& prefix) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(prefix, 0) == 0) return line;
  return {};
}

TEST(Plugins, EnvPathPrecedesBuildTree) {
  ASSERT_TRUE(std::filesystem::exists(build_plugin())) << build_plugin() << " is not built";
  TempDir dir;
  std::filesystem::copy_file(build_plugin(), dir / "librbee-plugin-llama.so");
  const auto model = fixtures() / "tiny" / "llama" / "model-f32.gguf";
  const auto r = run_rbee({"inspect", model.string()}, {{"RBEE_PLUGIN_PATH", dir.path().string()}});
  ASSERT_TRUE(r.exited && r.status == 0) << r.describe();
  const std::string plugin = line_starting(r.out, "plugin:");
  ASSERT_FALSE(plugin.empty()) << r.describe();
  EXPECT_NE(plugin.find((dir / "librbee-plugin-llama.so").string()), std::string::npos) << r.describe();
  EXPECT_EQ(plugin.find(build_plugin().string()), std::string::npos) << r.describe();
}

TEST(Plugins, WithoutEnvPathTheBuildTreeIsUsed) {
  const auto model = fixtures() / "tiny" / "llama" / "model-f32.gguf";
  const auto r = run_rbee({"inspect", model.string()});
  ASSERT_TRUE(r.exited && r.status == 0) << r.describe();
  EXPECT_NE(line_starting(r.out, "plugin:").find(build_plugin().string()), std::string::npos) << r.describe();
}

TEST(Plugins, JunkFileIsSkipped) {
  TempDir dir;
  write_text(dir / "libjunk.so", "this is not a shared library\n");
  const auto r = run_rbee({"plugins"}, {{"RBEE_PLUGIN_PATH", dir.path().string()}});
  ASSERT_TRUE(r.exited && r.status == 0) << r.describe();
  const std::string skipped = line_starting(r.out, "skipped");
  EXPECT_NE(skipped.find("libjunk.so"), std::string::npos) << r.describe();
  EXPECT_NE(r.out.find("llama"), std::string::npos) << r.describe();
  EXPECT_NE(r.out.find("architectures: llama, mistral"), std::string::npos) << r.describe();
}

TEST(Plugins, ListsLlamaWithArchitectures) {
  const auto r = run_rbee({"plugins"});
  ASSERT_TRUE(r.exited && r.status == 0) << r.describe();
  EXPECT_FALSE(line_starting(r.out, "  llama").empty()) << r.describe();
  EXPECT_NE(r.out.find("architectures: llama, mistral"), std::string::npos) << r.describe();
  EXPECT_NE(r.out.find(build_plugin().string()), std::string::npos) << r.describe();
  EXPECT_EQ(r.out.find("skipped"), std::string::npos) << r.describe();
}

}  // namespace
}  // namespace rbee::test
