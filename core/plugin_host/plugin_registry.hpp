#pragma once
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "plugin_host/host_api.hpp"
#include "plugin_host/loaded_plugin.hpp"

namespace rbee {

// A request for a plugin that cannot be met (a forced plugin that is absent or unsuitable).
class PluginError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A file in a plugin folder that was not loaded, and why.
struct SkippedPlugin {
  std::filesystem::path path;
  std::string reason;
};

// An architecture that several plugins claim; the first of `claimants` wins.
struct ContestedArchitecture {
  std::string architecture;
  std::vector<const LoadedPlugin*> claimants;  // the winner first, then in losing order
};

// The plugins found in the search path, each initialised with one instance of its own for the
// registry's lifetime. Registries share nothing: several in one process (several Runtimes) load
// a library once each, and the plugin counts its init() and deinit() calls.
class PluginRegistry {
 public:
  // Loads every *.so of every folder in plugin_search_path(plugin_dirs) and makes one instance
  // of each, whose host offers tables.
  static PluginRegistry discover(const std::vector<std::filesystem::path>& plugin_dirs, const HostTables& tables);
  // Same, over exactly these folders.
  static PluginRegistry load(std::vector<std::filesystem::path> search_path, const HostTables& tables);

  // The folders searched, in order, including those that do not exist.
  const std::vector<std::filesystem::path>& search_path() const { return search_path_; }
  // In search order.
  const std::vector<LoadedPlugin>& plugins() const { return plugins_; }
  const std::vector<SkippedPlugin>& skipped() const { return skipped_; }

  // The plugin for an architecture: the highest priority among those that list it, the first in
  // search order on a tie; nullptr when none does. A forced name picks that plugin and throws
  // PluginError when it is not loaded or does not list the architecture.
  const LoadedPlugin* find(std::string_view architecture, std::string_view forced_plugin_name = {}) const;
  // Architectures listed by more than one plugin, sorted by name.
  std::vector<ContestedArchitecture> contested_architectures() const;

 private:
  void load_folder(const std::filesystem::path& dir, const HostTables& tables);
  void load_file(const std::filesystem::path& file, const HostTables& tables);
  void skip(const std::filesystem::path& file, std::string reason);

  std::vector<std::filesystem::path> search_path_;
  std::vector<LoadedPlugin> plugins_;
  std::vector<SkippedPlugin> skipped_;
  std::vector<std::filesystem::path> seen_files_;  // canonical paths, so no file loads twice
};

}  // namespace rbee
