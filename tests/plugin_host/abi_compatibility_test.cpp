// Which plugins this host runs: those of its major that find what they use (the base tables,
// and each extension they ask for), whatever their minor; and why it refuses the others.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "plugin_host/fake_tables.hpp"
#include "plugin_host/log_capture.hpp"
#include "plugin_host/plugin_registry.hpp"

namespace rbee {
namespace {

using ::testing::HasSubstr;

const std::filesystem::path kPlugins = RBEE_TEST_PLUGIN_DIR;

std::string version(uint32_t major, uint32_t minor) { return std::to_string(major) + "." + std::to_string(minor); }

const std::string kHostAbi = version(RBEE_ABI_MAJOR, RBEE_ABI_MINOR);

class AbiCompatibilityTest : public ::testing::Test {
 protected:
  // Why `file` of `folder` was skipped, or "" when it was not.
  std::string skip_reason(const PluginRegistry& registry, const std::string& file) const {
    for (const auto& s : registry.skipped())
      if (s.path.filename() == file) return s.reason;
    return "";
  }

  test::FakeTables fake_;
  test::LogCapture log_;
};

TEST_F(AbiCompatibilityTest, PluginUsingOnlyTheBaseTablesRunsOnThisHost) {
  const auto registry = PluginRegistry::load({kPlugins / "good"}, fake_.tables());
  ASSERT_EQ(registry.plugins().size(), 2u);
  const LoadedPlugin& low = *registry.find("testarch", "low");
  EXPECT_EQ(version(low.entry().abi_major, low.entry().abi_minor), version(RBEE_ABI_MAJOR, RBEE_ABI_MINOR));
  // Called through its instance, the plugin answers with its own message.
  const rbee_plugin& instance = low.instance();
  rbee_error err{sizeof(rbee_error), {}};
  rbee_model* model = nullptr;
  EXPECT_EQ(instance.create_model(&instance, nullptr, &model, &err), RBEE_ERROR_UNSUPPORTED);
  EXPECT_STREQ(err.message, "a test plugin has no models");
}

TEST_F(AbiCompatibilityTest, PluginOfANewerMinorRunsWhenTheHostHasWhatItUses) {
  const auto registry = PluginRegistry::load({kPlugins / "newer_minor"}, fake_.tables());
  ASSERT_EQ(registry.plugins().size(), 1u) << (registry.skipped().empty() ? "" : registry.skipped()[0].reason);
  EXPECT_EQ(registry.find("testarch", "newer-minor")->entry().abi_minor, static_cast<uint32_t>(RBEE_ABI_MINOR + 1));
}

TEST_F(AbiCompatibilityTest, PluginNeedingAnExtensionTheHostLacksIsSkippedNamingIt) {
  const auto registry = PluginRegistry::load({kPlugins / "bad"}, fake_.tables());
  const std::string reason = skip_reason(registry, "libtest_plugin_needs_future.so");
  EXPECT_THAT(reason, HasSubstr("create_plugin failed (ABI mismatch)"));
  EXPECT_THAT(reason, HasSubstr("needs the host extension rbee.graph.future/1 (rbee ABI " +
                                version(RBEE_ABI_MAJOR, 1) + " or later)"));
  EXPECT_THAT(reason, HasSubstr("with ABI " + kHostAbi));
  EXPECT_THAT(log_.text(), HasSubstr("libtest_plugin_needs_future.so skipped: " + reason));
}

// The scan (a child process offering the real host's tables) passes the plugin; loading it here,
// with tables that lack the extension, refuses it naming the extension.
TEST_F(AbiCompatibilityTest, PluginNeedingMoeRunsOnlyWhereTheHostOffersIt) {
  const auto with_moe = PluginRegistry::load({kPlugins / "uses_moe"}, fake_.tables());
  ASSERT_EQ(with_moe.plugins().size(), 1u);
  EXPECT_NE(with_moe.find("testarch", "uses-moe"), nullptr);
  const auto without_moe = PluginRegistry::load({kPlugins / "uses_moe"}, {.graph = &fake_.graph, .heads = &fake_.heads});
  try {
    without_moe.find("testarch", "uses-moe");
    ADD_FAILURE() << "expected PluginError";
  } catch (const PluginError& e) {
    EXPECT_THAT(e.what(), HasSubstr("plugin 'uses-moe' (" + (kPlugins / "uses_moe" / "libtest_plugin_uses_moe.so").string() + ")"));
    EXPECT_THAT(e.what(), HasSubstr("needs the host extension " RBEE_EXT_GRAPH_MOE));
  }
}

TEST_F(AbiCompatibilityTest, Abi1PluginIsRefusedNamingBothVersions) {
  const auto registry = PluginRegistry::load({kPlugins / "bad"}, fake_.tables());
  EXPECT_EQ(skip_reason(registry, "libtest_plugin_abi1.so"),
            "built for rbee ABI 1.1 (exports rbee_plugin_entry), this host speaks ABI " + kHostAbi +
                ": rebuild it against the " + kHostAbi + " SDK");
  // One that refuses this host still tells its major.
  EXPECT_THAT(skip_reason(registry, "libtest_plugin_abi1_refuses.so"),
              HasSubstr("built for rbee ABI 1.x (exports rbee_plugin_entry), this host speaks ABI " + kHostAbi));
}

TEST_F(AbiCompatibilityTest, AnotherMajorIsRefusedNamingBothVersions) {
  const auto registry = PluginRegistry::load({kPlugins / "bad"}, fake_.tables());
  EXPECT_EQ(skip_reason(registry, "libtest_plugin_wrong_abi.so"),
            "built for rbee ABI " + version(3, RBEE_ABI_MINOR) + ", this host speaks ABI " + kHostAbi);
}

}  // namespace
}  // namespace rbee
