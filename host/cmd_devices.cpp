// rbee devices: the Vulkan devices rbee can use.
#include <cstdio>

#include "commands.hpp"
#include "engine/discovery.hpp"

namespace rbee::host {
namespace {

void devices() {
  const DeviceList list = list_devices();
  for (const auto& d : list.devices) {
    std::printf("%u%s %s\n", d.index, d.index == list.best ? "*" : " ", d.name.c_str());
    std::printf("    type %s, Vulkan %s, driver %s\n", d.type.c_str(), d.api_version.c_str(), d.driver.c_str());
    std::printf("    device-local memory %.1f GiB, largest storage binding %.0f MiB, subgroup %u, max workgroup %u\n",
                d.device_local_bytes / 1073741824.0, d.max_storage_buffer_range / 1048576.0, d.subgroup_size,
                d.max_workgroup_invocations);
    std::printf("    float16 %s, int8 %s, cooperative matrix %s, timestamps %s\n", d.float16 ? "yes" : "no",
                d.int8 ? "yes" : "no", d.cooperative_matrix ? "yes" : "no", d.timestamps ? "yes" : "no");
  }
  std::printf("* = used by default (--device N picks another)\n");
}

}  // namespace

void add_devices_command(CLI::App& app, const GlobalArgs&) {
  CLI::App* cmd = app.add_subcommand("devices", "list the Vulkan devices");
  cmd->callback([] { devices(); });
}

}  // namespace rbee::host
