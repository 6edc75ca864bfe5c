// Plugins are untrusted code: each is scanned in a child process first, and one that crashes,
// hangs or misbehaves there is skipped with the reason, never loaded into this process.
#include <chrono>
#include <fstream>
#include <iterator>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "plugin_host/fake_tables.hpp"
#include "plugin_host/log_capture.hpp"
#include "plugin_host/plugin_registry.hpp"
#include "temp_dir.hpp"

namespace rbee {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

const std::filesystem::path kPlugins = RBEE_TEST_PLUGIN_DIR;
const std::filesystem::path kQuarantine = kPlugins / "quarantine";

std::string file_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class PluginQuarantineTest : public ::testing::Test {
 protected:
  PluginQuarantineTest() {
    settings_.cache_file = cache_dir_ / "plugin-scan.json";
    settings_.timeout = std::chrono::milliseconds(1000);
  }

  PluginRegistry scan(const std::vector<std::filesystem::path>& folders) {
    return PluginRegistry::load(folders, fake_.tables(), settings_);
  }
  // Why the one plugin of quarantine/<folder> was skipped ("" when it was not).
  std::string reason_for(const std::string& folder) {
    const auto registry = scan({kQuarantine / folder});
    return registry.skipped().size() == 1 ? registry.skipped()[0].reason : "";
  }

  test::FakeTables fake_;
  test::LogCapture log_;
  test::TempDir cache_dir_;
  ScanSettings settings_ = ScanSettings::from_environment();
};

TEST_F(PluginQuarantineTest, ScannerIsFound) {
  EXPECT_TRUE(std::filesystem::is_regular_file(settings_.scanner)) << settings_.scanner;
}

TEST_F(PluginQuarantineTest, AbortInAStaticConstructorIsACrashAtLoad) {
  EXPECT_THAT(reason_for("aborts_at_load"), StartsWith("crashed (signal 6, SIGABRT"));
  EXPECT_THAT(reason_for("aborts_at_load"), HasSubstr("in dlopen (its static constructors)"));
}

TEST_F(PluginQuarantineTest, AbortInInitNamesThePluginAndTheCall) {
  EXPECT_THAT(reason_for("aborts_in_init"), StartsWith("crashed (signal 6, SIGABRT"));
  EXPECT_THAT(reason_for("aborts_in_init"), HasSubstr("in init of plugin 'aborts-in-init'"));
}

TEST_F(PluginQuarantineTest, AbortInCreatePluginNamesThePluginAndTheCall) {
  EXPECT_THAT(reason_for("aborts_in_create_plugin"), HasSubstr("in create_plugin of plugin 'aborts-in-create-plugin'"));
}

TEST_F(PluginQuarantineTest, GarbageEntryPointerIsACrashReadingTheEntry) {
  EXPECT_THAT(reason_for("garbage_entry"), StartsWith("crashed (signal 11, SIGSEGV"));
  EXPECT_THAT(reason_for("garbage_entry"), HasSubstr("in reading rbee_entry"));
}

TEST_F(PluginQuarantineTest, HangIsKilledAtTheTimeLimitAndNotCached) {
  const auto start = std::chrono::steady_clock::now();
  const auto registry = scan({kQuarantine / "hangs_in_init", kPlugins / "good"});
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  ASSERT_EQ(registry.skipped().size(), 1u);
  EXPECT_THAT(registry.skipped()[0].reason, StartsWith("hung: no answer within 1000 ms in init of plugin 'hangs-in-init'"));
  EXPECT_EQ(registry.plugins().size(), 2u);  // the others were scanned meanwhile
  // A hang may be a busy machine: the next run tries again.
  EXPECT_THAT(file_text(settings_.cache_file), ::testing::Not(HasSubstr("hangs_in_init")));
}

TEST_F(PluginQuarantineTest, UnterminatedErrorMessageIsReadUpToItsSize) {
  EXPECT_EQ(reason_for("unterminated_error"), "init failed (unsupported): " + std::string(RBEE_ERROR_MESSAGE_MAX, 'x'));
}

TEST_F(PluginQuarantineTest, EveryMisbehaviourIsSkippedAndTheGoodPluginsStillLoad) {
  std::vector<std::filesystem::path> folders;
  for (const auto& entry : std::filesystem::directory_iterator(kQuarantine)) folders.push_back(entry.path());
  folders.push_back(kPlugins / "good");
  const auto registry = scan(folders);
  EXPECT_EQ(registry.skipped().size(), 6u);  // the load-time cases; the model-time ones pass the scan
  for (const auto& s : registry.skipped())
    EXPECT_THAT(log_.text(), HasSubstr("warning plugin " + s.path.string() + " skipped: " + s.reason));
  const LoadedPlugin* high = registry.find("testarch");
  ASSERT_NE(high, nullptr);
  EXPECT_EQ(high->name(), "high");
}

TEST_F(PluginQuarantineTest, CrashIsCachedUntilTheFileChanges) {
  const std::string first = reason_for("aborts_in_init");
  ASSERT_THAT(first, StartsWith("crashed"));
  EXPECT_THAT(file_text(settings_.cache_file), HasSubstr("libtest_plugin_aborts_in_init.so"));
  EXPECT_EQ(reason_for("aborts_in_init"), first);
  EXPECT_THAT(log_.text(), HasSubstr("libtest_plugin_aborts_in_init.so: scan result from the cache"));
}

TEST_F(PluginQuarantineTest, CorruptCacheIsIgnoredWithANotice) {
  std::ofstream(settings_.cache_file) << "{ not json";
  const auto registry = scan({kPlugins / "good"});
  EXPECT_EQ(registry.plugins().size(), 2u);
  EXPECT_THAT(log_.text(), HasSubstr("plugin scan cache " + settings_.cache_file.string() + " is unreadable"));
  EXPECT_THAT(file_text(settings_.cache_file), HasSubstr("libtest_plugin_low.so"));  // rewritten
}

TEST_F(PluginQuarantineTest, MissingScannerSkipsEveryPluginSayingSo) {
  settings_.scanner = "/nonexistent/rbee-plugin-scan";
  const auto registry = scan({kPlugins / "good"});
  EXPECT_TRUE(registry.plugins().empty());
  ASSERT_EQ(registry.skipped().size(), 2u);
  EXPECT_THAT(registry.skipped()[0].reason, HasSubstr("cannot run the plugin scanner /nonexistent/rbee-plugin-scan"));
}

TEST_F(PluginQuarantineTest, EachCallIntoAPluginIsLoggedBeforeItIsMade) {
  settings_.cache_file.clear();
  scan({kPlugins / "good"});
  EXPECT_THAT(log_.text(), HasSubstr("scanning " + (kPlugins / "good" / "libtest_plugin_low.so").string()));
  // In this process, with -v, each call into the plugin is logged first.
  const auto registry = scan({kPlugins / "good"});
  registry.find("testarch", "low");
  EXPECT_THAT(log_.text(), HasSubstr("calling init of plugin 'low' (" + (kPlugins / "good" / "libtest_plugin_low.so").string() + ")"));
  EXPECT_THAT(log_.text(), HasSubstr("calling create_plugin of plugin 'low'"));
}

}  // namespace
}  // namespace rbee
