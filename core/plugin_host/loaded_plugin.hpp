#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "plugin_host/host_api.hpp"
#include "rbee/plugin.h"

namespace rbee {

// Why a plugin file could not be used; the message is the reason alone, without the path.
class PluginLoadError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Told, before each call into a plugin's own code (loading the library runs its static
// constructors), which call it is: a crash inside is then attributed to the plugin and the call.
using CallAnnouncer = std::function<void(const std::filesystem::path& plugin, std::string_view call)>;

// The default announcer: a debug log line naming the plugin's file and the call (rbee -v).
void log_call(const std::filesystem::path& plugin, std::string_view call);

// One plugin library whose rbee_entry passed the ABI checks, and once started, its instance.
// The library stays loaded while this object lives; when it goes away the instance is destroyed,
// then the entry's deinit() runs (once per successful init()), then the library unloads.
// Move-only; the rbee_host of the instance keeps its address across moves.
//
// The entry must be at least as large as ABI 2.0's, with name, architectures and create_plugin.
// The instance must reach build_graph with every function but describe; get_extension is
// optional (an instance that ends before it, or a NULL pointer, has no extensions).
class LoadedPlugin {
 public:
  // Loads the library, reads rbee_entry and checks it; refuses an ABI 1 plugin (which exports
  // rbee_plugin_entry instead) naming both versions. Does not call init(). Throws
  // PluginLoadError; catches everything the loader throws. announce hears of every call into the
  // plugin made through this object, until it is destroyed.
  static LoadedPlugin open(const std::filesystem::path& path, CallAnnouncer announce = log_call);
  // Calls init(path), then create_plugin() with a host of this plugin's own that offers tables,
  // and checks the instance. Throws PluginLoadError with the plugin's message.
  void start(const HostTables& tables);

  LoadedPlugin(LoadedPlugin&&) noexcept;
  LoadedPlugin& operator=(LoadedPlugin&&) noexcept;
  ~LoadedPlugin();

  const std::filesystem::path& path() const { return path_; }
  // Read only the fields that entry().struct_size covers.
  const rbee_plugin_entry& entry() const { return *entry_; }
  // The instance made by start(); read only the fields its struct_size covers.
  const rbee_plugin& instance() const;
  // The host handed to the instance.
  const rbee_host& host() const;
  const std::string& name() const { return name_; }
  const std::string& version() const { return version_; }
  const std::string& description() const { return description_; }
  int32_t priority() const { return entry_->priority; }
  const std::vector<std::string>& architectures() const { return architectures_; }

  bool handles(std::string_view architecture) const;
  // To be called before calling into the instance (create_model, build_graph, ...).
  void announce(std::string_view call) const;
  // The instance's capability by versioned id ("rbee.test.counter/1"), or nullptr.
  const void* extension(const char* id) const;

 private:
  struct Library;  // the Boost.DLL handle, the host and the instance, at a stable address
  LoadedPlugin(std::filesystem::path path, std::unique_ptr<Library> library);

  std::filesystem::path path_;
  std::unique_ptr<Library> library_;
  const rbee_plugin_entry* entry_ = nullptr;  // owned by the library
  std::string name_, version_, description_;
  std::vector<std::string> architectures_;
};

}  // namespace rbee
