#pragma once
#include "plugin_host/host_api.hpp"

namespace rbee {

// The whole plugin scanner program (`rbee-plugin-scan PLUGIN.so`, run by the host in a child
// process): loads the one plugin, calls init() and create_plugin() with a host offering tables,
// checks what it gets, and answers on stdout as scan_protocol.hpp says. The plugin's own writes
// to stdout go to stderr so that they cannot garble the answer. Returns the exit status.
int run_plugin_scan(int argc, char** argv, const HostTables& tables);

}  // namespace rbee
