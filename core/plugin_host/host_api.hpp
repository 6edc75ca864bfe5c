#pragma once
#include <string>

#include "rbee/rbee.h"

namespace rbee {

// The operation tables a host offers its plugins: the frozen base graph table and the graph
// extensions (static storage of the graph library; any may be NULL in tests).
struct HostTables {
  const rbee_graph_api* graph = nullptr;
  const rbee_graph_moe_api* moe = nullptr;
  const rbee_graph_heads_api* heads = nullptr;
  const rbee_graph_experts_api* experts = nullptr;
};

// What the host knows about the one plugin instance a rbee_host serves (its host_data).
struct HostContext {
  std::string plugin_name;  // the prefix of the instance's log messages
  HostTables tables;
};

// The rbee_host for one plugin instance: this host's ABI and version, logging to spdlog with the
// plugin's name as prefix, source_api(), context.tables.graph, and get_extension answering
// RBEE_EXT_GRAPH_MOE, RBEE_EXT_GRAPH_HEADS and RBEE_EXT_GRAPH_EXPERTS from context.tables. context must outlive the
// returned struct's use; nothing global is kept.
rbee_host make_host(const HostContext& context);

}  // namespace rbee
