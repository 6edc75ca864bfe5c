// Misbehaving plugins through the real binary: one that crashes, hangs or lies while scanned is
// skipped and named, and models of other plugins still run; one that misbehaves only when used
// fails that model alone, naming itself.
#include <gtest/gtest.h>

#include "fixtures_path.hpp"
#include "host/rbee_process.hpp"

namespace rbee::test {
namespace {

const std::filesystem::path kQuarantine = std::filesystem::path(RBEE_TEST_PLUGIN_DIR) / "quarantine";

std::filesystem::path model() { return fixtures() / "tiny" / "llama" / "model-f32.gguf"; }
std::filesystem::path plugin_file(const std::string& folder) {
  return kQuarantine / folder / ("libtest_plugin_" + folder + ".so");
}

// The folders as one RBEE_PLUGIN_PATH, searched before the build tree's real plugins.
std::string plugin_path(std::initializer_list<const char*> folders) {
  std::string out;
  for (const char* folder : folders) out += (out.empty() ? "" : ":") + (kQuarantine / folder).string();
  return out;
}

struct ScanCase {
  const char* folder;
  const char* reason;
};
const ScanCase kScanCases[] = {
    {"aborts_at_load", "crashed (signal 6, SIGABRT: Aborted) in dlopen (its static constructors)"},
    {"aborts_in_init", "crashed (signal 6, SIGABRT: Aborted) in init of plugin 'aborts-in-init'"},
    {"aborts_in_create_plugin", "crashed (signal 6, SIGABRT: Aborted) in create_plugin of plugin 'aborts-in-create-plugin'"},
    {"hangs_in_init", "hung: no answer within 1500 ms in init of plugin 'hangs-in-init'"},
    {"garbage_entry", "crashed (signal 11, SIGSEGV: Segmentation fault) in reading rbee_entry"},
    {"unterminated_error", "init failed (unsupported): xxxxxxxx"},
};

class PluginQuarantine : public ::testing::Test {
 protected:
  RunResult rbee(const std::vector<std::string>& args, const std::string& path) {
    return run_rbee(args, {{"RBEE_PLUGIN_PATH", path},
                           {"XDG_CACHE_HOME", cache_.path().string()},
                           {"RBEE_PLUGIN_SCAN_TIMEOUT_MS", "1500"}});
  }
  TempDir cache_;
};

const std::string kAllScanCases =
    plugin_path({"aborts_at_load", "aborts_in_init", "aborts_in_create_plugin", "hangs_in_init", "garbage_entry",
                 "unterminated_error"});

TEST_F(PluginQuarantine, PluginsThatMisbehaveWhenScannedAreListedAsSkippedWithTheReason) {
  const auto r = rbee({"plugins"}, kAllScanCases);
  ASSERT_TRUE(r.exited && r.status == 0) << r.describe();
  for (const auto& c : kScanCases)
    EXPECT_NE(r.out.find("skipped " + plugin_file(c.folder).string() + ": " + c.reason), std::string::npos)
        << c.folder << "\n" << r.describe();
  EXPECT_NE(r.out.find("architectures: llama, mistral"), std::string::npos) << r.describe();
  // The 512 bytes of the unterminated message, and nothing read past them.
  EXPECT_NE(r.out.find("init failed (unsupported): " + std::string(512, 'x') + "\n"), std::string::npos) << r.describe();
}

TEST_F(PluginQuarantine, ModelOfAnotherPluginRunsBesidePluginsThatMisbehaveWhenScanned) {
  const auto r = rbee({"run", model().string(), "-n", "4", "-p", "hi"}, kAllScanCases);
  ASSERT_TRUE(r.exited && r.status == 0) << r.describe();
  for (const auto& c : kScanCases)
    EXPECT_NE(r.err.find("plugin " + plugin_file(c.folder).string() + " skipped: " + c.reason), std::string::npos)
        << c.folder << "\n" << r.describe();
}

const std::string kAllUseCases =
    plugin_path({"aborts_in_create_model", "aborts_in_build_graph", "null_model", "no_output", "huge_vocab"});

TEST_F(PluginQuarantine, PluginsThatMisbehaveOnlyWhenUsedDoNotAffectAnotherPluginsModel) {
  const auto r = rbee({"run", model().string(), "-n", "4", "-p", "hi"}, kAllUseCases);
  ASSERT_TRUE(r.exited && r.status == 0) << r.describe();
  EXPECT_EQ(r.err.find("skipped"), std::string::npos) << r.describe();  // they passed the scan
}

TEST_F(PluginQuarantine, NullModelIsAClearErrorNamingThePlugin) {
  const auto r = rbee({"run", model().string(), "-n", "4", "--plugin", "null-model"}, kAllUseCases);
  expect_clean_error(r, {model().string(), "create_model returned no model", "plugin null-model",
                         plugin_file("null_model").string()});
}

TEST_F(PluginQuarantine, GraphWithoutOutputIsAClearErrorNamingThePlugin) {
  const auto r = rbee({"run", model().string(), "-n", "4", "--plugin", "no-output"}, kAllUseCases);
  expect_clean_error(r, {model().string(), "build_graph set no output", "plugin no-output",
                         plugin_file("no_output").string()});
}

TEST_F(PluginQuarantine, AbsurdVocabularyIsAClearErrorNamingThePlugin) {
  const auto r = rbee({"run", model().string(), "-n", "4", "--plugin", "huge-vocab"}, kAllUseCases);
  expect_clean_error(r, {model().string(), "n_vocab is 4294967295", "plugin huge-vocab",
                         plugin_file("huge_vocab").string()});
}

// A crash inside the plugin the model needs, in this process, cannot be caught; with -v the last
// line logged before it names the plugin and the call.
void expect_crash_attributed(const RunResult& r, const std::string& call, const std::string& folder) {
  EXPECT_FALSE(r.exited) << r.describe();
  EXPECT_EQ(r.status, SIGABRT) << r.describe();
  std::string err = r.err;
  while (!err.empty() && err.back() == '\n') err.pop_back();
  const std::string last = err.substr(err.rfind('\n') + 1);
  EXPECT_EQ(last, "[debug] calling " + call + " (" + plugin_file(folder).string() + ")") << r.describe();
}

TEST_F(PluginQuarantine, CrashInCreateModelIsAttributedWithVerbose) {
  const auto r = rbee({"-v", "run", model().string(), "-n", "4", "--plugin", "aborts-in-create-model"}, kAllUseCases);
  expect_crash_attributed(r, "create_model of plugin 'aborts-in-create-model'", "aborts_in_create_model");
}

TEST_F(PluginQuarantine, CrashInBuildGraphIsAttributedWithVerbose) {
  const auto r = rbee({"-v", "run", model().string(), "-n", "4", "--plugin", "aborts-in-build-graph"}, kAllUseCases);
  expect_crash_attributed(r, "build_graph of plugin 'aborts-in-build-graph'", "aborts_in_build_graph");
}

// With -v every call into the plugin that runs the model is logged before it is made, its
// destruction of the model included (a crash while unloading is attributed too).
TEST_F(PluginQuarantine, VerboseLogsEveryCallIntoThePluginInUse) {
  const auto r = rbee({"-v", "run", model().string(), "-n", "2", "-p", "hi"}, "");
  ASSERT_TRUE(r.exited && r.status == 0) << r.describe();
  for (const char* call : {"create_model", "model_info", "kv_layout", "build_graph", "destroy_model"})
    EXPECT_NE(r.err.find(std::string("[debug] calling ") + call + " of plugin 'llama'"), std::string::npos)
        << call << "\n" << r.describe();
}

}  // namespace
}  // namespace rbee::test
