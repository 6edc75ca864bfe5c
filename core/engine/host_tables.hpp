#pragma once
#include "plugin_host/host_api.hpp"

namespace rbee {

// This host's graph tables (graph_api, graph_moe_api, graph_heads_api), as every plugin
// registry of the engine and the host program offers them.
HostTables host_tables();

}  // namespace rbee
