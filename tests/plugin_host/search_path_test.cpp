#include "plugin_host/search_path.hpp"

#include <gtest/gtest.h>

#include "plugin_host/scoped_env.hpp"

namespace rbee {
namespace {

using test::ScopedEnv;
using Paths = std::vector<std::filesystem::path>;

TEST(PluginSearchPath, OrderIsDirsThenEnvThenUserThenInstallThenBuild) {
  ScopedEnv path("RBEE_PLUGIN_PATH", "/env/a::/env/b:");
  ScopedEnv xdg("XDG_DATA_HOME", "/xdg");
  const Paths dirs = plugin_search_path({"/cli/one", "/cli/two"});
  ASSERT_EQ(dirs.size(), 7u);
  EXPECT_EQ(Paths(dirs.begin(), dirs.begin() + 5),
            (Paths{"/cli/one", "/cli/two", "/env/a", "/env/b", "/xdg/rbee/plugins"}));
  EXPECT_TRUE(dirs[5].is_absolute()) << dirs[5];  // <prefix>/<libdir>/rbee/plugins
  EXPECT_EQ(dirs[5].parent_path().filename(), "rbee");
  EXPECT_EQ(dirs[6], std::filesystem::path(RBEE_BINARY_DIR) / "plugins");
}

TEST(PluginSearchPath, UserFolderFallsBackToHome) {
  ScopedEnv path("RBEE_PLUGIN_PATH", nullptr);
  ScopedEnv xdg("XDG_DATA_HOME", "relative/is/ignored");
  ScopedEnv home("HOME", "/home/someone");
  const Paths dirs = plugin_search_path({});
  ASSERT_EQ(dirs.size(), 3u);
  EXPECT_EQ(dirs[0], std::filesystem::path("/home/someone/.local/share/rbee/plugins"));
}

TEST(PluginSearchPath, NoHomeNoUserFolder) {
  ScopedEnv path("RBEE_PLUGIN_PATH", nullptr);
  ScopedEnv xdg("XDG_DATA_HOME", nullptr);
  ScopedEnv home("HOME", nullptr);
  EXPECT_EQ(plugin_search_path({}).size(), 2u);  // install and build folders only
}

}  // namespace
}  // namespace rbee
