#include "plugin_host/plugin_registry.hpp"

#include <algorithm>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "plugin_host/host_api.hpp"
#include "plugin_host/log_capture.hpp"
#include "plugin_host/scoped_env.hpp"

namespace rbee {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Paths = std::vector<std::filesystem::path>;

const std::filesystem::path kPlugins = RBEE_TEST_PLUGIN_DIR;

std::vector<std::string> names(const PluginRegistry& r) {
  std::vector<std::string> out;
  for (const auto& p : r.plugins()) out.push_back(p.name());
  return out;
}

const SkippedPlugin* skipped_file(const PluginRegistry& r, const std::string& filename) {
  for (const auto& s : r.skipped())
    if (s.path.filename() == filename) return &s;
  return nullptr;
}

class PluginRegistryTest : public ::testing::Test {
 protected:
  rbee_host_api host_ = make_host_api(nullptr);
  test::LogCapture log_;
};

TEST_F(PluginRegistryTest, LoadsGoodPluginsAndReadsTheirDescriptors) {
  const auto registry = PluginRegistry::load({kPlugins / "good"}, &host_);
  EXPECT_THAT(names(registry), ElementsAre("high", "low"));  // file order within a folder
  EXPECT_TRUE(registry.skipped().empty());
  const LoadedPlugin& low = registry.plugins()[1];
  EXPECT_EQ(low.path(), kPlugins / "good" / "libtest_plugin_low.so");
  EXPECT_EQ(low.version(), "1.2.3");
  EXPECT_EQ(low.description(), "a plugin for test_plugin_host");
  EXPECT_EQ(low.priority(), 1);
  EXPECT_THAT(low.architectures(), ElementsAre("testarch"));
  EXPECT_EQ(low.descriptor().abi_major, static_cast<uint32_t>(RBEE_ABI_MAJOR));
  EXPECT_THAT(log_.text(), HasSubstr("info [low] init"));  // the plugin logged through the host
}

TEST_F(PluginRegistryTest, CallsShutdownWhenTheRegistryGoesAway) {
  {
    const auto registry = PluginRegistry::load({kPlugins / "good"}, &host_);
    EXPECT_THAT(log_.text(), ::testing::Not(HasSubstr("shutdown")));
  }
  EXPECT_THAT(log_.text(), HasSubstr("[low] shutdown"));
  EXPECT_THAT(log_.text(), HasSubstr("[high] shutdown"));
}

TEST_F(PluginRegistryTest, SkipsBadFilesWithOneWarningEach) {
  const auto registry = PluginRegistry::load({kPlugins / "bad"}, &host_);
  EXPECT_TRUE(registry.plugins().empty());
  EXPECT_EQ(registry.skipped().size(), 5u);

  const std::string log = log_.text();
  const auto warning_for = [&](const std::string& file, const std::string& reason) {
    const SkippedPlugin* s = skipped_file(registry, file);
    ASSERT_NE(s, nullptr) << file;
    EXPECT_THAT(s->reason, HasSubstr(reason));
    const std::string line = "warning plugin " + (kPlugins / "bad" / file).string() + " skipped: ";
    const size_t at = log.find(line);
    ASSERT_NE(at, std::string::npos) << "no warning for " << file << " in:\n" << log;
    EXPECT_EQ(log.find(line, at + 1), std::string::npos) << "two warnings for " << file;
    EXPECT_THAT(log.substr(at, log.find('\n', at) - at), HasSubstr(reason));
  };
  warning_for("libfoo.so", "not a loadable shared library");
  warning_for("libtest_plugin_no_entry.so", "does not export rbee_plugin_entry");
  warning_for("libtest_plugin_returns_null.so", "rbee_plugin_entry returned NULL");
  const std::string minor = std::to_string(RBEE_ABI_MINOR);
  warning_for("libtest_plugin_wrong_abi.so", "built for rbee ABI 2." + minor + ", this host speaks 1." + minor);
  warning_for("libtest_plugin_init_fails.so",
              "init failed (unsupported): needs hardware this test does not have");
}

TEST_F(PluginRegistryTest, HighestPriorityWins) {
  const auto registry = PluginRegistry::load({kPlugins / "bad", kPlugins / "good"}, &host_);
  const LoadedPlugin* p = registry.find("testarch");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->name(), "high");
  EXPECT_EQ(registry.find("otherarch"), nullptr);
}

TEST_F(PluginRegistryTest, ForcedPluginOverridesPriority) {
  const auto registry = PluginRegistry::load({kPlugins / "good"}, &host_);
  const LoadedPlugin* p = registry.find("testarch", "low");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->name(), "low");
  try {
    registry.find("testarch", "missing");
    ADD_FAILURE() << "expected PluginError";
  } catch (const PluginError& e) {
    EXPECT_THAT(e.what(), HasSubstr("plugin 'missing' is not loaded"));
  }
  try {
    registry.find("otherarch", "low");
    ADD_FAILURE() << "expected PluginError";
  } catch (const PluginError& e) {
    EXPECT_THAT(e.what(), HasSubstr("plugin 'low'"));
    EXPECT_THAT(e.what(), HasSubstr("does not handle architecture 'otherarch'"));
  }
}

TEST_F(PluginRegistryTest, ReportsContestedArchitectures) {
  const auto registry = PluginRegistry::load({kPlugins / "good", kPlugins / "old_minor"}, &host_);
  const auto contested = registry.contested_architectures();
  ASSERT_EQ(contested.size(), 1u);
  EXPECT_EQ(contested[0].architecture, "testarch");
  std::vector<std::string> order;
  for (const auto* p : contested[0].claimants) order.push_back(p->name());
  EXPECT_THAT(order, ElementsAre("high", "low", "old-minor"));  // priorities 5, 1, 0
}

TEST_F(PluginRegistryTest, EarlierFolderShadowsSameName) {
  const auto registry = PluginRegistry::load({kPlugins / "good", kPlugins / "shadow"}, &host_);
  EXPECT_THAT(names(registry), ElementsAre("high", "low"));
  EXPECT_EQ(registry.find("testarch", "low")->path().parent_path(), kPlugins / "good");
  const SkippedPlugin* s = skipped_file(registry, "libtest_plugin_low_again.so");
  ASSERT_NE(s, nullptr);
  EXPECT_THAT(s->reason, HasSubstr("plugin 'low' is already loaded from"));
}

TEST_F(PluginRegistryTest, FolderListedTwiceLoadsOnce) {
  const auto registry = PluginRegistry::load({kPlugins / "good", kPlugins / "good" / "."}, &host_);
  EXPECT_EQ(registry.plugins().size(), 2u);
  EXPECT_TRUE(registry.skipped().empty());
}

TEST_F(PluginRegistryTest, MissingFoldersAreSkippedSilently) {
  const auto registry = PluginRegistry::load({kPlugins / "does-not-exist"}, &host_);
  EXPECT_TRUE(registry.plugins().empty());
  EXPECT_TRUE(registry.skipped().empty());
  EXPECT_EQ(log_.text(), "");
}

TEST_F(PluginRegistryTest, OlderMinorDescriptorLoadsWithoutExtensions) {
  const auto registry = PluginRegistry::load({kPlugins / "old_minor", kPlugins / "good"}, &host_);
  const LoadedPlugin* old = registry.find("testarch", "old-minor");
  ASSERT_NE(old, nullptr);
  EXPECT_EQ(old->descriptor().struct_size, offsetof(rbee_plugin, get_extension));
  // The plugin's get_extension would answer, but its struct_size says the field is not there.
  EXPECT_EQ(old->extension("rbee.test/1"), nullptr);
  // A current descriptor's get_extension is used.
  const LoadedPlugin* high = registry.find("testarch", "high");
  ASSERT_NE(high, nullptr);
  ASSERT_NE(high->extension("rbee.test/1"), nullptr);
  EXPECT_EQ(*static_cast<const int*>(high->extension("rbee.test/1")), 42);
  EXPECT_EQ(high->extension("rbee.other/1"), nullptr);
}

TEST_F(PluginRegistryTest, DiscoverHonorsPluginPathAfterPluginDirs) {
  const std::string env = (kPlugins / "does-not-exist").string() + ":" + (kPlugins / "shadow").string() +
                          ":" + (kPlugins / "old_minor").string();
  test::ScopedEnv path("RBEE_PLUGIN_PATH", env.c_str());
  const auto registry = PluginRegistry::discover({kPlugins / "good"}, &host_);
  const Paths& search = registry.search_path();
  ASSERT_GE(search.size(), 4u);
  EXPECT_EQ(Paths(search.begin(), search.begin() + 4),
            (Paths{kPlugins / "good", kPlugins / "does-not-exist", kPlugins / "shadow",
                   kPlugins / "old_minor"}));
  EXPECT_NE(registry.find("testarch", "old-minor"), nullptr);
  // --plugin-dir comes first, so good/low shadows shadow/low.
  EXPECT_EQ(registry.find("testarch", "low")->path().parent_path(), kPlugins / "good");
}

}  // namespace
}  // namespace rbee
