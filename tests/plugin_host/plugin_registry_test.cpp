#include "plugin_host/plugin_registry.hpp"

#include <algorithm>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "plugin_host/fake_tables.hpp"
#include "plugin_host/log_capture.hpp"
#include "plugin_host/plugins/test_counter.h"
#include "plugin_host/scoped_env.hpp"

namespace rbee {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using Paths = std::vector<std::filesystem::path>;

const std::filesystem::path kPlugins = RBEE_TEST_PLUGIN_DIR;

std::vector<std::string> names(const PluginRegistry& r) {
  std::vector<std::string> out;
  for (const auto& p : r.plugins()) out.push_back(p.name);
  return out;
}

const SkippedPlugin* skipped_file(const PluginRegistry& r, const std::string& filename) {
  for (const auto& s : r.skipped())
    if (s.path.filename() == filename) return &s;
  return nullptr;
}

std::string version(uint32_t major, uint32_t minor) { return std::to_string(major) + "." + std::to_string(minor); }

const std::string kHostAbi = version(RBEE_ABI_MAJOR, RBEE_ABI_MINOR);

class PluginRegistryTest : public ::testing::Test {
 protected:
  test::FakeTables fake_;
  HostTables tables_ = fake_.tables();
  test::LogCapture log_;
};

TEST_F(PluginRegistryTest, ScansGoodPluginsAndReadsTheirEntries) {
  const auto registry = PluginRegistry::load({kPlugins / "good"}, tables_);
  EXPECT_THAT(names(registry), ElementsAre("high", "low"));  // file order within a folder
  EXPECT_TRUE(registry.skipped().empty());
  const PluginInfo& low = registry.plugins()[1];
  EXPECT_EQ(low.path, kPlugins / "good" / "libtest_plugin_low.so");
  EXPECT_EQ(low.version, "1.2.3");
  EXPECT_EQ(low.description, "a plugin for test_plugin_host");
  EXPECT_EQ(low.priority, 1);
  EXPECT_THAT(low.architectures, ElementsAre("testarch"));
  // Scanned in a child process: nothing was created in this one.
  EXPECT_THAT(log_.text(), ::testing::Not(HasSubstr("created")));
}

TEST_F(PluginRegistryTest, LoadsOnlyThePluginFindPicks) {
  const auto registry = PluginRegistry::load({kPlugins / "good"}, tables_);
  const LoadedPlugin* low = registry.find("testarch", "low");
  ASSERT_NE(low, nullptr);
  EXPECT_EQ(low->entry().abi_major, static_cast<uint32_t>(RBEE_ABI_MAJOR));
  EXPECT_THAT(log_.text(), HasSubstr("info [low] created"));  // the instance logged through its host
  EXPECT_THAT(log_.text(), ::testing::Not(HasSubstr("[high] created")));
  EXPECT_EQ(registry.find("testarch", "low"), low) << "loaded once";
  const LoadedPlugin* high = registry.find("testarch", "high");
  ASSERT_NE(high, nullptr);
  EXPECT_NE(&low->host(), &high->host());  // a host per instance
}

TEST_F(PluginRegistryTest, DestroysInstancesWhenTheRegistryGoesAway) {
  {
    const auto registry = PluginRegistry::load({kPlugins / "good"}, tables_);
    registry.find("testarch", "low");
    registry.find("testarch", "high");
    EXPECT_THAT(log_.text(), ::testing::Not(HasSubstr("destroyed")));
  }
  EXPECT_THAT(log_.text(), HasSubstr("[low] destroyed"));
  EXPECT_THAT(log_.text(), HasSubstr("[high] destroyed"));
}

TEST_F(PluginRegistryTest, SkipsBadFilesWithOneWarningEach) {
  const auto registry = PluginRegistry::load({kPlugins / "bad"}, tables_);
  EXPECT_TRUE(registry.plugins().empty());
  EXPECT_EQ(registry.skipped().size(), 8u);

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
  warning_for("libtest_plugin_no_entry.so", "does not export rbee_entry");
  warning_for("libtest_plugin_returns_null.so", "create_plugin returned no instance");
  warning_for("libtest_plugin_wrong_abi.so",
              "built for rbee ABI " + version(3, RBEE_ABI_MINOR) + ", this host speaks ABI " + kHostAbi);
  warning_for("libtest_plugin_init_fails.so",
              "init failed (unsupported): needs hardware this test does not have");
  warning_for("libtest_plugin_needs_future.so", "create_plugin failed (ABI mismatch): needs the host extension "
                                                "rbee.graph.future/1");
  warning_for("libtest_plugin_abi1.so", "built for rbee ABI 1.1 (exports rbee_plugin_entry)");
  warning_for("libtest_plugin_abi1_refuses.so", "built for rbee ABI 1.x (exports rbee_plugin_entry)");
}

TEST_F(PluginRegistryTest, HighestPriorityWins) {
  const auto registry = PluginRegistry::load({kPlugins / "bad", kPlugins / "good"}, tables_);
  const LoadedPlugin* p = registry.find("testarch");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->name(), "high");
  EXPECT_EQ(registry.find("otherarch"), nullptr);
}

TEST_F(PluginRegistryTest, ForcedPluginOverridesPriority) {
  const auto registry = PluginRegistry::load({kPlugins / "good"}, tables_);
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
  const auto registry = PluginRegistry::load({kPlugins / "good", kPlugins / "old_minor"}, tables_);
  const auto contested = registry.contested_architectures();
  ASSERT_EQ(contested.size(), 1u);
  EXPECT_EQ(contested[0].architecture, "testarch");
  std::vector<std::string> order;
  for (const auto* p : contested[0].claimants) order.push_back(p->name);
  EXPECT_THAT(order, ElementsAre("high", "low", "old-minor"));  // priorities 5, 1, 0
}

TEST_F(PluginRegistryTest, EarlierFolderShadowsSameName) {
  const auto registry = PluginRegistry::load({kPlugins / "good", kPlugins / "shadow"}, tables_);
  EXPECT_THAT(names(registry), ElementsAre("high", "low"));
  EXPECT_EQ(registry.find("testarch", "low")->path().parent_path(), kPlugins / "good");
  const SkippedPlugin* s = skipped_file(registry, "libtest_plugin_low_again.so");
  ASSERT_NE(s, nullptr);
  EXPECT_THAT(s->reason, HasSubstr("plugin 'low' is already loaded from"));
}

TEST_F(PluginRegistryTest, FolderListedTwiceLoadsOnce) {
  const auto registry = PluginRegistry::load({kPlugins / "good", kPlugins / "good" / "."}, tables_);
  EXPECT_EQ(registry.plugins().size(), 2u);
  EXPECT_TRUE(registry.skipped().empty());
}

TEST_F(PluginRegistryTest, MissingFoldersAreSkippedSilently) {
  const auto registry = PluginRegistry::load({kPlugins / "does-not-exist"}, tables_);
  EXPECT_TRUE(registry.plugins().empty());
  EXPECT_TRUE(registry.skipped().empty());
  EXPECT_EQ(log_.text(), "");
}

TEST_F(PluginRegistryTest, InstanceEndingBeforeGetExtensionLoadsWithoutExtensions) {
  const auto registry = PluginRegistry::load({kPlugins / "old_minor", kPlugins / "good"}, tables_);
  const LoadedPlugin* old = registry.find("testarch", "old-minor");
  ASSERT_NE(old, nullptr);
  EXPECT_EQ(old->instance().struct_size, offsetof(rbee_plugin, get_extension));
  // The plugin's get_extension would answer, but its struct_size says the field is not there.
  EXPECT_EQ(old->extension(TEST_EXT_COUNTER), nullptr);
  // A full instance's get_extension is used.
  const LoadedPlugin* high = registry.find("testarch", "high");
  ASSERT_NE(high, nullptr);
  const auto* counter = static_cast<const test_counter_api*>(high->extension(TEST_EXT_COUNTER));
  ASSERT_NE(counter, nullptr);
  EXPECT_EQ(counter->struct_size, sizeof(test_counter_api));
  EXPECT_EQ(high->extension("rbee.other/1"), nullptr);
}

TEST_F(PluginRegistryTest, DiscoverHonorsPluginPathAfterPluginDirs) {
  const std::string env = (kPlugins / "does-not-exist").string() + ":" + (kPlugins / "shadow").string() +
                          ":" + (kPlugins / "old_minor").string();
  test::ScopedEnv path("RBEE_PLUGIN_PATH", env.c_str());
  const auto registry = PluginRegistry::discover({kPlugins / "good"}, tables_);
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
