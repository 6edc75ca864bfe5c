#include "plugin_host/search_path.hpp"

#include <gtest/gtest.h>

#include "plugin_host/scoped_env.hpp"

namespace rbee {
namespace {

using test::ScopedEnv;
using Paths = std::vector<std::filesystem::path>;

// This test program runs from the build tree, so the build tree's plugin folder comes last.
TEST(PluginSearchPath, OrderIsDirsThenEnvThenUserThenBesideThenInstallThenBuild) {
  ScopedEnv path("RBEE_PLUGIN_PATH", "/env/a::/env/b:");
  ScopedEnv xdg("XDG_DATA_HOME", "/xdg");
  const Paths dirs = plugin_search_path({"/cli/one", "/cli/two"});
  ASSERT_EQ(dirs.size(), 8u);
  EXPECT_EQ(Paths(dirs.begin(), dirs.begin() + 5),
            (Paths{"/cli/one", "/cli/two", "/env/a", "/env/b", "/xdg/rbee/plugins"}));
  // <exe>/../<libdir>/rbee/plugins
  const auto prefix = std::filesystem::read_symlink("/proc/self/exe").parent_path().parent_path();
  EXPECT_EQ(dirs[5].lexically_relative(prefix).begin()->string(), "lib") << dirs[5];
  EXPECT_EQ(dirs[5].parent_path().filename(), "rbee") << dirs[5];
  EXPECT_TRUE(dirs[6].is_absolute()) << dirs[6];  // <prefix>/<libdir>/rbee/plugins
  EXPECT_EQ(dirs[6].parent_path().filename(), "rbee");
  EXPECT_EQ(dirs[7], std::filesystem::path(RBEE_BINARY_DIR) / "plugins");
}

TEST(PluginSearchPath, UserFolderFallsBackToHome) {
  ScopedEnv path("RBEE_PLUGIN_PATH", nullptr);
  ScopedEnv xdg("XDG_DATA_HOME", "relative/is/ignored");
  ScopedEnv home("HOME", "/home/someone");
  const Paths dirs = plugin_search_path({});
  ASSERT_EQ(dirs.size(), 4u);
  EXPECT_EQ(dirs[0], std::filesystem::path("/home/someone/.local/share/rbee/plugins"));
}

TEST(PluginSearchPath, NoHomeNoUserFolder) {
  ScopedEnv path("RBEE_PLUGIN_PATH", nullptr);
  ScopedEnv xdg("XDG_DATA_HOME", nullptr);
  ScopedEnv home("HOME", nullptr);
  EXPECT_EQ(plugin_search_path({}).size(), 3u);  // beside the executable, install and build folders only
}

}  // namespace
}  // namespace rbee
