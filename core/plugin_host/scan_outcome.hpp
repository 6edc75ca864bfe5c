#pragma once
#include <optional>
#include <string>

#include "plugin_host/plugin_info.hpp"

namespace rbee {

// What scanning one plugin file found: the plugin, or why it is not used.
struct ScanOutcome {
  std::optional<PluginInfo> plugin;
  std::string failure;  // empty when plugin is set
  // False for what may go otherwise next time (a hang on a busy machine, a scanner that did not
  // start): such an outcome is not cached.
  bool lasting = true;
};

}  // namespace rbee
