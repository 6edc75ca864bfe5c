#include "plugin_host/loaded_plugin.hpp"

#include <algorithm>
#include <cstddef>
#include <utility>

#include <boost/dll/shared_library.hpp>
#include <spdlog/spdlog.h>

#include "plugin_host/abi1_refusal.hpp"
#include "plugin_host/plugin_error.hpp"

namespace rbee {

namespace {

// Where a struct's field ends: a struct_size at least this large holds the field.
#define RBEE_END_OF(type, field) (offsetof(type, field) + sizeof(type::field))

constexpr size_t kVersionFieldsSize = RBEE_END_OF(rbee_plugin_entry, abi_minor);
constexpr size_t kEntrySize = RBEE_END_OF(rbee_plugin_entry, create_plugin);  // every 2.x entry
constexpr size_t kInstanceSize = RBEE_END_OF(rbee_plugin, build_graph);

std::string version_string(uint32_t major, uint32_t minor) {
  return std::to_string(major) + "." + std::to_string(minor);
}

const std::string kHostVersion = version_string(RBEE_ABI_MAJOR, RBEE_ABI_MINOR);

void check_required(std::initializer_list<std::pair<const void*, const char*>> fields, const char* what) {
  for (const auto& [field, field_name] : fields)
    if (field == nullptr) throw PluginLoadError(std::string(what) + " field " + field_name + " is NULL");
}

void check_entry(const rbee_plugin_entry& e) {
  if (e.struct_size < kVersionFieldsSize)
    throw PluginLoadError(std::string(RBEE_ENTRY_SYMBOL " struct_size ") + std::to_string(e.struct_size) +
                          " is too small to hold an ABI version");
  if (e.abi_major != RBEE_ABI_MAJOR)
    throw PluginLoadError("built for rbee ABI " + version_string(e.abi_major, e.abi_minor) + ", this host speaks ABI " +
                          kHostVersion);
  if (e.struct_size < kEntrySize)
    throw PluginLoadError(std::string(RBEE_ENTRY_SYMBOL " struct_size ") + std::to_string(e.struct_size) +
                          " is smaller than the " + std::to_string(kEntrySize) + " bytes of ABI " +
                          version_string(RBEE_ABI_MAJOR, 0));
  check_required({{e.name, "name"},
                  {e.architectures, "architectures"},
                  {reinterpret_cast<const void*>(e.create_plugin), "create_plugin"}},
                 RBEE_ENTRY_SYMBOL);
}

void check_instance(const rbee_plugin& p) {
  if (p.struct_size < kInstanceSize)
    throw PluginLoadError("the instance's struct_size " + std::to_string(p.struct_size) + " ends before build_graph (" +
                          std::to_string(kInstanceSize) + " bytes)");
  check_required({{reinterpret_cast<const void*>(p.create_model), "create_model"},
                  {reinterpret_cast<const void*>(p.destroy_model), "destroy_model"},
                  {reinterpret_cast<const void*>(p.model_info), "model_info"},
                  {reinterpret_cast<const void*>(p.kv_layout), "kv_layout"},
                  {reinterpret_cast<const void*>(p.build_graph), "build_graph"}},
                 "instance");
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

// rbee_entry, or why this library has none (an ABI 1 plugin, or no plugin at all).
const rbee_plugin_entry& find_entry(boost::dll::shared_library& handle) {
  try {
    if (handle.has(RBEE_ENTRY_SYMBOL)) return handle.get<const rbee_plugin_entry>(RBEE_ENTRY_SYMBOL);
    if (handle.has(kAbi1EntrySymbol)) throw PluginLoadError(abi1_refusal(&handle.get<const void*(uint32_t, uint32_t)>(kAbi1EntrySymbol)));
  } catch (const PluginLoadError&) {
    throw;
  } catch (const std::exception& e) {
    throw PluginLoadError(std::string("cannot resolve " RBEE_ENTRY_SYMBOL ": ") + e.what());
  }
  throw PluginLoadError("does not export " RBEE_ENTRY_SYMBOL " (not an rbee plugin)");
}

}  // namespace

void log_call(const std::filesystem::path& plugin, std::string_view call) {
  spdlog::debug("calling {} ({})", call, plugin.string());
}

struct LoadedPlugin::Library {
  boost::dll::shared_library handle;  // first member: unloads after everything below is undone
  std::filesystem::path path;
  std::string name;  // once rbee_entry is read
  CallAnnouncer announce;
  const rbee_plugin_entry* entry = nullptr;
  bool initialised = false;
  HostContext context;
  rbee_host host{};
  const rbee_plugin* instance = nullptr;

  ~Library() {
    if (instance != nullptr && instance->struct_size >= RBEE_END_OF(rbee_plugin, destroy) && instance->destroy != nullptr) {
      announce_call("destroy");
      instance->destroy(instance);
    }
    if (initialised && entry->deinit != nullptr) {
      announce_call("deinit");
      entry->deinit();
    }
  }

  void announce_call(std::string_view call) const {
    announce(path, name.empty() ? std::string(call) : std::string(call) + " of plugin '" + name + "'");
  }
};

LoadedPlugin LoadedPlugin::open(const std::filesystem::path& path, CallAnnouncer announce) {
  auto library = std::make_unique<Library>();
  library->path = path;
  library->announce = std::move(announce);
  library->announce_call("dlopen (its static constructors)");
  try {
    library->handle.load(boost::dll::fs::path(path.string()),
                         boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& e) {
    throw PluginLoadError("not a loadable shared library: " + loader_reason(e.what(), path));
  }
  library->announce_call("reading " RBEE_ENTRY_SYMBOL);
  library->entry = &find_entry(library->handle);
  check_entry(*library->entry);
  return LoadedPlugin(path, std::move(library));
}

LoadedPlugin::LoadedPlugin(std::filesystem::path path, std::unique_ptr<Library> library)
    : path_(std::move(path)), library_(std::move(library)), entry_(library_->entry) {
  const rbee_plugin_entry& e = *entry_;
  name_ = e.name;
  library_->name = name_;
  version_ = e.version != nullptr ? e.version : "";
  description_ = e.description != nullptr ? e.description : "";
  for (const char* const* arch = e.architectures; *arch != nullptr; ++arch) architectures_.emplace_back(*arch);
}

void LoadedPlugin::start(const HostTables& tables) {
  Library& lib = *library_;
  rbee_error err = empty_error();
  if (entry_->init != nullptr) {
    announce("init");
    const rbee_status status = entry_->init(path_.c_str(), &err);
    if (status != RBEE_OK)
      throw PluginLoadError(std::string("init failed (") + rbee_status_name(status) + "): " + error_message(err, status));
  }
  lib.initialised = true;

  lib.context = HostContext{name_, tables};
  lib.host = make_host(lib.context);
  const rbee_plugin* instance = nullptr;
  announce("create_plugin");
  const rbee_status status = entry_->create_plugin(&lib.host, &instance, &err);
  if (status != RBEE_OK)
    throw PluginLoadError(std::string("create_plugin failed (") + rbee_status_name(status) +
                          "): " + error_message(err, status));
  if (instance == nullptr) throw PluginLoadError("create_plugin returned no instance");
  lib.instance = instance;  // destroyed with the library, even if the checks below refuse it
  check_instance(*instance);
}

LoadedPlugin::LoadedPlugin(LoadedPlugin&&) noexcept = default;
LoadedPlugin& LoadedPlugin::operator=(LoadedPlugin&&) noexcept = default;
LoadedPlugin::~LoadedPlugin() = default;

const rbee_plugin& LoadedPlugin::instance() const {
  if (library_->instance == nullptr) throw std::logic_error("plugin " + name_ + " was not started");
  return *library_->instance;
}

const rbee_host& LoadedPlugin::host() const { return library_->host; }

bool LoadedPlugin::handles(std::string_view architecture) const {
  return std::find(architectures_.begin(), architectures_.end(), architecture) != architectures_.end();
}

void LoadedPlugin::announce(std::string_view call) const { library_->announce_call(call); }

const void* LoadedPlugin::extension(const char* id) const {
  const rbee_plugin& p = instance();
  const bool has_field = p.struct_size >= RBEE_END_OF(rbee_plugin, get_extension);
  if (!has_field || p.get_extension == nullptr) return nullptr;
  announce("get_extension");
  return p.get_extension(&p, id);
}

}  // namespace rbee
