#pragma once
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "plugin_host/host_api.hpp"
#include "plugin_host/loaded_plugin.hpp"
#include "plugin_host/plugin_info.hpp"
#include "plugin_host/scan_settings.hpp"

namespace rbee {

// A request for a plugin that cannot be met (a forced plugin that is absent or unsuitable, or
// one that passed the scan but fails to load in this process).
class PluginError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A file in a plugin folder that is not used, and why.
struct SkippedPlugin {
  std::filesystem::path path;
  std::string reason;
};

// An architecture that several plugins claim; the first of `claimants` wins.
struct ContestedArchitecture {
  std::string architecture;
  std::vector<const PluginInfo*> claimants;  // the winner first, then in losing order
};

// The plugins found in the search path. Plugins are untrusted code: each file is first scanned
// in a child process (ScanSettings; results cached by file), so that one that crashes, hangs or
// misbehaves there is skipped with the reason and never loaded here. A plugin is loaded into
// this process, initialised and given one instance of its own, only when find() picks it, and
// stays so for the registry's lifetime. Registries share nothing: several in one process (several
// Runtimes) load a library once each, and the plugin counts its init() and deinit() calls.
class PluginRegistry {
 public:
  // Scans every *.so of every folder in plugin_search_path(plugin_dirs); the plugins loaded later
  // get a host offering tables.
  static PluginRegistry discover(const std::vector<std::filesystem::path>& plugin_dirs, const HostTables& tables,
                                 const ScanSettings& settings = ScanSettings::from_environment());
  // Same, over exactly these folders.
  static PluginRegistry load(std::vector<std::filesystem::path> search_path, const HostTables& tables,
                             const ScanSettings& settings = ScanSettings::from_environment());

  PluginRegistry(PluginRegistry&&) noexcept;
  ~PluginRegistry();

  // The folders searched, in order, including those that do not exist.
  const std::vector<std::filesystem::path>& search_path() const { return search_path_; }
  // The plugins that passed the scan, in search order (none is loaded by listing them).
  const std::vector<PluginInfo>& plugins() const { return plugins_; }
  const std::vector<SkippedPlugin>& skipped() const { return skipped_; }

  // The plugin for an architecture, loaded into this process and started on first use: the
  // highest priority among those that list it, the first in search order on a tie; nullptr when
  // none does. A forced name picks that plugin and throws PluginError when it is not there or
  // does not list the architecture. Throws PluginError naming the plugin when it fails to load.
  const LoadedPlugin* find(std::string_view architecture, std::string_view forced_plugin_name = {}) const;
  // Architectures listed by more than one plugin, sorted by name.
  std::vector<ContestedArchitecture> contested_architectures() const;

 private:
  PluginRegistry(std::vector<std::filesystem::path> search_path, const HostTables& tables);
  const PluginInfo* choose(std::string_view architecture, std::string_view forced_plugin_name) const;
  const LoadedPlugin& loaded(const PluginInfo& info) const;
  void skip(const std::filesystem::path& file, std::string reason);

  std::vector<std::filesystem::path> search_path_;
  HostTables tables_;
  std::vector<PluginInfo> plugins_;
  std::vector<SkippedPlugin> skipped_;
  // Loaded on demand by find(), by plugin name; unique_ptr keeps the addresses find() returned.
  mutable std::mutex loading_;
  mutable std::map<std::string, std::unique_ptr<LoadedPlugin>, std::less<>> loaded_;
};

}  // namespace rbee
