#include "engine/discovery.hpp"

#include "engine/host_tables.hpp"
#include "plugin_host/plugin_scan.hpp"

namespace rbee {

DeviceList list_devices() {
  vk::Instance instance;
  return {.devices = instance.describe_devices(), .best = instance.best_device()};
}

PluginRegistry discover_plugins(const std::vector<std::filesystem::path>& plugin_dirs) {
  return PluginRegistry::discover(plugin_dirs, host_tables());
}

int run_plugin_scanner(int argc, char** argv) { return run_plugin_scan(argc, argv, host_tables()); }

}  // namespace rbee
