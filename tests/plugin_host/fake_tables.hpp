#pragma once
#include "plugin_host/host_api.hpp"

namespace rbee::test {

// Host tables for plugins that never build a graph: the base table and the extensions have their
// struct_size and no functions. Must outlive the registries given tables().
struct FakeTables {
  rbee_graph_api graph{.struct_size = sizeof(rbee_graph_api)};
  rbee_graph_moe_api moe{.struct_size = sizeof(rbee_graph_moe_api)};
  rbee_graph_heads_api heads{.struct_size = sizeof(rbee_graph_heads_api)};

  HostTables tables() const { return {.graph = &graph, .moe = &moe, .heads = &heads}; }
};

}  // namespace rbee::test
