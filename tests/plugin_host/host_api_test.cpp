#include "plugin_host/host_api.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "plugin_host/log_capture.hpp"
#include "plugin_host/source_api.hpp"

namespace rbee {
namespace {

using ::testing::HasSubstr;

TEST(HostApi, FillsVersionAndTables) {
  rbee_graph_api graph{};
  graph.struct_size = sizeof graph;
  const rbee_host_api api = make_host_api(&graph);
  EXPECT_EQ(api.struct_size, sizeof(rbee_host_api));
  EXPECT_EQ(api.abi_major, static_cast<uint32_t>(RBEE_ABI_MAJOR));
  EXPECT_EQ(api.abi_minor, static_cast<uint32_t>(RBEE_ABI_MINOR));
  EXPECT_EQ(api.source, source_api());
  EXPECT_EQ(api.graph, &graph);
  ASSERT_NE(api.get_extension, nullptr);
  EXPECT_EQ(api.get_extension("rbee.anything/1"), nullptr);
}

TEST(HostApi, LogsWithThePluginNameAsPrefix) {
  test::LogCapture log;
  const rbee_host_api api = make_host_api(nullptr);
  api.log(RBEE_LOG_WARN, "llama", "rope scaling ignored");
  api.log(RBEE_LOG_ERROR, nullptr, nullptr);
  EXPECT_THAT(log.text(), HasSubstr("warning [llama] rope scaling ignored\n"));
  EXPECT_THAT(log.text(), HasSubstr("error [plugin] \n"));
}

}  // namespace
}  // namespace rbee
