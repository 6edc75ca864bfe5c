#include "plugin_host/loaded_plugin.hpp"

#include <algorithm>
#include <cstddef>
#include <utility>

#include <boost/dll/shared_library.hpp>

namespace rbee {

namespace {

// The descriptor must reach at least this far for this host to use it (see the header).
constexpr size_t kRequiredDescriptorSize = offsetof(rbee_plugin, get_extension);
constexpr size_t kVersionFieldsSize = offsetof(rbee_plugin, abi_minor) + sizeof(uint32_t);

std::string version_string(uint32_t major, uint32_t minor) {
  return std::to_string(major) + "." + std::to_string(minor);
}

void check_descriptor(const rbee_plugin& d) {
  if (d.struct_size < kVersionFieldsSize)
    throw PluginLoadError("descriptor struct_size " + std::to_string(d.struct_size) +
                          " is too small to hold an ABI version");
  if (d.abi_major != RBEE_ABI_MAJOR)
    throw PluginLoadError("built for rbee ABI " + version_string(d.abi_major, d.abi_minor) +
                          ", this host speaks " + version_string(RBEE_ABI_MAJOR, RBEE_ABI_MINOR));
  if (d.struct_size < kRequiredDescriptorSize)
    throw PluginLoadError("descriptor struct_size " + std::to_string(d.struct_size) +
                          " is smaller than the " + std::to_string(kRequiredDescriptorSize) +
                          " bytes ABI " + version_string(d.abi_major, d.abi_minor) + " requires");
  const std::pair<const void*, const char*> required[] = {
      {d.name, "name"},
      {d.architectures, "architectures"},
      {reinterpret_cast<const void*>(d.create_model), "create_model"},
      {reinterpret_cast<const void*>(d.destroy_model), "destroy_model"},
      {reinterpret_cast<const void*>(d.model_info), "model_info"},
      {reinterpret_cast<const void*>(d.kv_layout), "kv_layout"},
      {reinterpret_cast<const void*>(d.build_graph), "build_graph"},
  };
  for (const auto& [field, field_name] : required)
    if (field == nullptr) throw PluginLoadError(std::string("descriptor field ") + field_name + " is NULL");
}

// Boost wraps dlerror() as "...load() failed (dlerror system message: <path>: <why>): <errno text>";
// keep <why>, which is what the user can act on.
std::string loader_reason(const std::string& what, const std::filesystem::path& path) {
  const std::string marker = "dlerror system message: ";
  const size_t start = what.find(marker);
  const size_t end = what.rfind("): ");
  if (start == std::string::npos || end == std::string::npos || end < start) return what;
  std::string reason = what.substr(start + marker.size(), end - start - marker.size());
  const std::string path_prefix = path.string() + ": ";
  if (reason.rfind(path_prefix, 0) == 0) reason.erase(0, path_prefix.size());
  return reason;
}

}  // namespace

struct LoadedPlugin::Library {
  boost::dll::shared_library handle;
  const rbee_plugin* descriptor = nullptr;
  bool initialised = false;

  // Runs before `handle` unloads the library.
  ~Library() {
    if (initialised && descriptor->shutdown != nullptr) descriptor->shutdown();
  }
};

LoadedPlugin LoadedPlugin::open(const std::filesystem::path& path) {
  auto library = std::make_unique<Library>();
  try {
    library->handle.load(boost::dll::fs::path(path.string()),
                         boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& e) {
    throw PluginLoadError("not a loadable shared library: " + loader_reason(e.what(), path));
  }
  rbee_plugin_entry_fn entry = nullptr;
  try {
    if (!library->handle.has(RBEE_PLUGIN_ENTRY_SYMBOL))
      throw PluginLoadError("does not export " RBEE_PLUGIN_ENTRY_SYMBOL);
    entry = &library->handle.get<const rbee_plugin*(uint32_t, uint32_t)>(RBEE_PLUGIN_ENTRY_SYMBOL);
  } catch (const PluginLoadError&) {
    throw;
  } catch (const std::exception& e) {
    throw PluginLoadError(std::string("cannot resolve " RBEE_PLUGIN_ENTRY_SYMBOL ": ") + e.what());
  }
  library->descriptor = entry(RBEE_ABI_MAJOR, RBEE_ABI_MINOR);
  if (library->descriptor == nullptr)
    throw PluginLoadError(RBEE_PLUGIN_ENTRY_SYMBOL " returned NULL: the plugin refuses host ABI " +
                          version_string(RBEE_ABI_MAJOR, RBEE_ABI_MINOR));
  check_descriptor(*library->descriptor);
  return LoadedPlugin(path, std::move(library));
}

LoadedPlugin::LoadedPlugin(std::filesystem::path path, std::unique_ptr<Library> library)
    : path_(std::move(path)), library_(std::move(library)), descriptor_(library_->descriptor) {
  const rbee_plugin& d = *descriptor_;
  name_ = d.name;
  version_ = d.version != nullptr ? d.version : "";
  description_ = d.description != nullptr ? d.description : "";
  for (const char* const* arch = d.architectures; *arch != nullptr; ++arch) architectures_.emplace_back(*arch);
}

void LoadedPlugin::init(const rbee_host_api* host) {
  if (descriptor_->init != nullptr) {
    rbee_error err{sizeof(rbee_error), {}};
    const rbee_status status = descriptor_->init(host, &err);
    if (status != RBEE_OK) {
      err.message[sizeof err.message - 1] = '\0';  // in case the plugin forgot the terminator
      std::string reason = std::string("init failed (") + rbee_status_name(status) + ")";
      if (err.message[0] != '\0') reason += std::string(": ") + err.message;
      throw PluginLoadError(reason);
    }
  }
  library_->initialised = true;
}

LoadedPlugin::LoadedPlugin(LoadedPlugin&&) noexcept = default;
LoadedPlugin& LoadedPlugin::operator=(LoadedPlugin&&) noexcept = default;
LoadedPlugin::~LoadedPlugin() = default;

bool LoadedPlugin::handles(std::string_view architecture) const {
  return std::find(architectures_.begin(), architectures_.end(), architecture) != architectures_.end();
}

const void* LoadedPlugin::extension(const char* id) const {
  const rbee_plugin& d = *descriptor_;
  const bool has_field = d.struct_size >= offsetof(rbee_plugin, get_extension) + sizeof d.get_extension;
  return has_field && d.get_extension != nullptr ? d.get_extension(id) : nullptr;
}

}  // namespace rbee
