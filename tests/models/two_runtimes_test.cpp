// Runtimes share nothing: two in one process, each with its own plugin instances and hosts, load
// and run models on their own, and either may be destroyed first.
#include <memory>
#include <vector>

#include <gtest/gtest.h>

#include "engine/host_tables.hpp"
#include "graph/graph.hpp"
#include "models/model_test_util.hpp"

namespace rbee::test {
namespace {

RuntimeOptions build_tree_plugins() {
  RuntimeOptions o;
  o.plugin_dirs = {std::filesystem::path(RBEE_BINARY_DIR) / "plugins"};
  return o;
}

const std::vector<int32_t> kIds = {1, 2, 3, 4};

std::vector<float> logits_of(Runtime& runtime) {
  Model model(runtime, fixtures() / "tiny" / "llama" / "model-f32.gguf", ModelOptions{});
  return model.eval(kIds, false);
}

class TwoRuntimesTest : public ::testing::TestWithParam<bool> {};

TEST_P(TwoRuntimesTest, EachRunsItsOwnModelsWhicheverGoesFirst) {
  auto first = std::make_unique<Runtime>(build_tree_plugins());
  auto second = std::make_unique<Runtime>(build_tree_plugins());
  const LoadedPlugin* first_llama = first->plugins().find("llama");
  const LoadedPlugin* second_llama = second->plugins().find("llama");
  ASSERT_NE(first_llama, nullptr);
  ASSERT_NE(second_llama, nullptr);
  EXPECT_NE(&first_llama->instance(), &second_llama->instance());
  EXPECT_NE(&first_llama->host(), &second_llama->host());

  const std::vector<float> want = logits_of(*first);
  EXPECT_LE(max_abs_diff(logits_of(*second), want), 0.0f);

  auto& goes = GetParam() ? first : second;
  auto& stays = GetParam() ? second : first;
  goes.reset();
  EXPECT_LE(max_abs_diff(logits_of(*stays), want), 0.0f);
  stays.reset();
}

INSTANTIATE_TEST_SUITE_P(EitherOrder, TwoRuntimesTest, ::testing::Bool(), [](const auto& info) {
  return std::string(info.param ? "FirstCreatedGoesFirst" : "LastCreatedGoesFirst");
});

TEST(HostTables, PluginsGetTheGraphTablesAndTheirExtensions) {
  const HostTables tables = host_tables();
  EXPECT_EQ(tables.graph, graph_api());
  EXPECT_EQ(tables.moe, graph_moe_api());
  EXPECT_EQ(tables.heads, graph_heads_api());
  const LoadedPlugin* llama = runtime().plugins().find("llama");
  ASSERT_NE(llama, nullptr);
  const rbee_host& host = llama->host();
  EXPECT_EQ(host.graph, graph_api());
  EXPECT_EQ(host.get_extension(&host, RBEE_EXT_GRAPH_MOE), graph_moe_api());
  EXPECT_EQ(host.get_extension(&host, RBEE_EXT_GRAPH_HEADS), graph_heads_api());
}

}  // namespace
}  // namespace rbee::test
