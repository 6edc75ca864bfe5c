#include "engine/host_tables.hpp"

#include "graph/graph.hpp"

namespace rbee {

HostTables host_tables() { return {.graph = graph_api(), .moe = graph_moe_api(), .heads = graph_heads_api(),
                                 .experts = graph_experts_api()}; }

}  // namespace rbee
