#include "plugin_host/host_api.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "plugin_host/fake_tables.hpp"
#include "plugin_host/log_capture.hpp"
#include "plugin_host/source_api.hpp"

namespace rbee {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;

TEST(HostApi, FillsVersionNameAndBaseTables) {
  const test::FakeTables fake;
  const HostContext context{"llama", fake.tables()};
  const rbee_host host = make_host(context);
  EXPECT_EQ(host.struct_size, sizeof(rbee_host));
  EXPECT_EQ(host.abi_major, static_cast<uint32_t>(RBEE_ABI_MAJOR));
  EXPECT_EQ(host.abi_minor, static_cast<uint32_t>(RBEE_ABI_MINOR));
  EXPECT_STREQ(host.name, "rbee");
  EXPECT_THAT(host.version, MatchesRegex("[0-9]+\\.[0-9]+\\.[0-9]+"));
  EXPECT_EQ(host.host_data, &context);
  EXPECT_EQ(host.source, source_api());
  EXPECT_EQ(host.graph, &fake.graph);
}

TEST(HostApi, GetExtensionAnswersTheGraphExtensionIdsOnly) {
  const test::FakeTables fake;
  const HostContext context{"llama", fake.tables()};
  const rbee_host host = make_host(context);
  ASSERT_NE(host.get_extension, nullptr);
  EXPECT_EQ(host.get_extension(&host, RBEE_EXT_GRAPH_MOE), &fake.moe);
  EXPECT_EQ(host.get_extension(&host, RBEE_EXT_GRAPH_HEADS), &fake.heads);
  EXPECT_EQ(host.get_extension(&host, "rbee.graph.moe/2"), nullptr);  // a version this host lacks
  EXPECT_EQ(host.get_extension(&host, "rbee.graph.future/1"), nullptr);
  EXPECT_EQ(host.get_extension(&host, nullptr), nullptr);
  EXPECT_EQ(host.get_extension(nullptr, RBEE_EXT_GRAPH_MOE), nullptr);
}

TEST(HostApi, AHostWithoutAnExtensionAnswersNull) {
  const test::FakeTables fake;
  const HostContext context{"llama", {.graph = &fake.graph}};
  const rbee_host host = make_host(context);
  EXPECT_EQ(host.get_extension(&host, RBEE_EXT_GRAPH_MOE), nullptr);
  EXPECT_EQ(host.get_extension(&host, RBEE_EXT_GRAPH_HEADS), nullptr);
}

TEST(HostApi, EachHostLogsWithItsOwnPluginNameAsPrefix) {
  test::LogCapture log;
  const HostContext llama{"llama", {}}, qwen{"qwen", {}};
  const rbee_host llama_host = make_host(llama), qwen_host = make_host(qwen);
  llama_host.log(&llama_host, RBEE_LOG_WARN, "rope scaling ignored");
  qwen_host.log(&qwen_host, RBEE_LOG_INFO, "hello");
  llama_host.log(&llama_host, RBEE_LOG_ERROR, nullptr);
  llama_host.log(nullptr, RBEE_LOG_DEBUG, "no host");
  EXPECT_THAT(log.text(), HasSubstr("warning [llama] rope scaling ignored\n"));
  EXPECT_THAT(log.text(), HasSubstr("info [qwen] hello\n"));
  EXPECT_THAT(log.text(), HasSubstr("error [llama] \n"));
  EXPECT_THAT(log.text(), HasSubstr("debug [plugin] no host\n"));
}

}  // namespace
}  // namespace rbee
