#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "rbee/plugin.h"

namespace rbee {

// Why a plugin file could not be used; the message is the reason alone, without the path.
class PluginLoadError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One plugin library that passed the ABI checks. It stays loaded while this object lives; once
// initialised, its shutdown() runs when this object goes away. Move-only.
//
// The host needs every descriptor field up to build_graph; version, description, init, shutdown
// and describe may be NULL. get_extension (1.0's last field) is optional: a smaller descriptor
// from an older minor, or a NULL pointer, means the plugin has no extensions.
class LoadedPlugin {
 public:
  // Loads the library, calls rbee_plugin_entry and checks the descriptor. Does not call init().
  // Throws PluginLoadError; catches everything the loader throws.
  static LoadedPlugin open(const std::filesystem::path& path);
  // Calls the plugin's init(host); host must outlive this object. Throws PluginLoadError.
  void init(const rbee_host_api* host);

  LoadedPlugin(LoadedPlugin&&) noexcept;
  LoadedPlugin& operator=(LoadedPlugin&&) noexcept;
  ~LoadedPlugin();

  const std::filesystem::path& path() const { return path_; }
  // Read only the fields that descriptor().struct_size covers.
  const rbee_plugin& descriptor() const { return *descriptor_; }
  const std::string& name() const { return name_; }
  const std::string& version() const { return version_; }
  const std::string& description() const { return description_; }
  int32_t priority() const { return descriptor_->priority; }
  const std::vector<std::string>& architectures() const { return architectures_; }

  bool handles(std::string_view architecture) const;
  // The plugin's capability by versioned id ("rbee.moe/1"), or nullptr.
  const void* extension(const char* id) const;

 private:
  struct Library;  // the Boost.DLL handle, kept out of this header
  LoadedPlugin(std::filesystem::path path, std::unique_ptr<Library> library);

  std::filesystem::path path_;
  std::unique_ptr<Library> library_;
  const rbee_plugin* descriptor_ = nullptr;  // owned by the library
  std::string name_, version_, description_;
  std::vector<std::string> architectures_;
};

}  // namespace rbee
