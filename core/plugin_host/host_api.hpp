#pragma once
#include "rbee/plugin.h"

namespace rbee {

// The table handed to every plugin's init(): this host's ABI version, logging to spdlog with the
// plugin's name as prefix, source_api(), the given graph API, and no extensions yet.
rbee_host_api make_host_api(const rbee_graph_api* graph);

}  // namespace rbee
