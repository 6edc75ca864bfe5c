// entry.init() and deinit() are counted: every registry that loads a library calls init() once
// and deinit() once, and registries in one process share nothing but the library itself.
#include <dlfcn.h>

#include <memory>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "plugin_host/fake_tables.hpp"
#include "plugin_host/log_capture.hpp"
#include "plugin_host/plugin_registry.hpp"
#include "plugin_host/plugins/test_counter.h"

namespace rbee {
namespace {

using ::testing::HasSubstr;

const std::filesystem::path kGood = std::filesystem::path(RBEE_TEST_PLUGIN_DIR) / "good";

// The test's own reference to a library, so that its static data (the counter) outlives the
// registries under test.
class LibraryHold {
 public:
  explicit LibraryHold(const std::filesystem::path& path) : handle_(dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL)) {}
  ~LibraryHold() {
    if (handle_ != nullptr) dlclose(handle_);
  }
  LibraryHold(const LibraryHold&) = delete;
  LibraryHold& operator=(const LibraryHold&) = delete;
  bool loaded() const { return handle_ != nullptr; }

 private:
  void* handle_;
};

const LoadedPlugin& low(const PluginRegistry& registry) { return *registry.find("testarch", "low"); }

const test_counter_api& counter(const PluginRegistry& registry) {
  return *static_cast<const test_counter_api*>(low(registry).extension(TEST_EXT_COUNTER));
}

class InitCountTest : public ::testing::TestWithParam<bool> {
 protected:
  bool first_loaded_goes_first() const { return GetParam(); }

  test::FakeTables fake_;
  test::LogCapture log_;
};

TEST_P(InitCountTest, TwoRegistriesInitTwiceDeinitTwiceAndNeverMeet) {
  LibraryHold hold(kGood / "libtest_plugin_low.so");
  ASSERT_TRUE(hold.loaded()) << dlerror();

  auto first = std::make_unique<PluginRegistry>(PluginRegistry::load({kGood}, fake_.tables()));
  const test_counter_api& count = counter(*first);
  EXPECT_EQ(count.live_inits(), 1);
  auto second = std::make_unique<PluginRegistry>(PluginRegistry::load({kGood}, fake_.tables()));
  EXPECT_EQ(&counter(*second), &count) << "one library, loaded by both";
  EXPECT_EQ(count.live_inits(), 2);
  EXPECT_NE(&low(*first).instance(), &low(*second).instance());
  EXPECT_NE(&low(*first).host(), &low(*second).host());

  auto& goes = first_loaded_goes_first() ? first : second;
  auto& stays = first_loaded_goes_first() ? second : first;
  goes.reset();
  EXPECT_EQ(count.live_inits(), 1);

  // The survivor's instance still talks to its own host.
  count.log(&low(*stays).instance(), "still here");
  EXPECT_THAT(log_.text(), HasSubstr("info [low] still here\n"));
  const auto* high = static_cast<const test_counter_api*>(stays->find("testarch", "high")->extension(TEST_EXT_COUNTER));
  high->log(&stays->find("testarch", "high")->instance(), "me too");
  EXPECT_THAT(log_.text(), HasSubstr("info [high] me too\n"));

  stays.reset();
  EXPECT_EQ(count.live_inits(), 0);
}

INSTANTIATE_TEST_SUITE_P(EitherOrder, InitCountTest, ::testing::Bool(), [](const auto& info) {
  return std::string(info.param ? "FirstLoadedGoesFirst" : "LastLoadedGoesFirst");
});

}  // namespace
}  // namespace rbee
