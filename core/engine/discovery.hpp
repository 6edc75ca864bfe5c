#pragma once
// What the host program lists without loading a model: the Vulkan devices and the plugins.
#include <cstdint>
#include <filesystem>
#include <vector>

#include "plugin_host/plugin_registry.hpp"
#include "vulkan/device.hpp"

namespace rbee {

struct DeviceList {
  std::vector<vk::DeviceInfo> devices;
  uint32_t best = 0;  // the device a Runtime picks by default
};

// The Vulkan devices, as a Runtime would choose among them.
DeviceList list_devices();

// The plugins a Runtime with these plugin folders would use, scanned the same way (each in a
// child process, offered the same host tables), with what was skipped and why.
PluginRegistry discover_plugins(const std::vector<std::filesystem::path>& plugin_dirs);

// The main() of rbee-plugin-scan: run_plugin_scan() offering this host's tables.
int run_plugin_scanner(int argc, char** argv);

}  // namespace rbee
