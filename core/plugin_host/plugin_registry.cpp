#include "plugin_host/plugin_registry.hpp"

#include <algorithm>
#include <system_error>

#include <spdlog/spdlog.h>

#include "plugin_host/scan_cache.hpp"
#include "plugin_host/scan_children.hpp"
#include "plugin_host/search_path.hpp"

namespace rbee {

namespace {

// The *.so files of the folders, in search order (sorted within a folder), each file once even
// when reached twice (a folder listed twice, a symlink).
std::vector<std::filesystem::path> plugin_files(const std::vector<std::filesystem::path>& search_path) {
  std::vector<std::filesystem::path> files, seen;
  for (const auto& dir : search_path) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) continue;  // absent folders are normal
    std::vector<std::filesystem::path> in_dir;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
      if (entry.path().extension() == ".so" && entry.is_regular_file(ec)) in_dir.push_back(entry.path());
    if (ec) spdlog::warn("plugin folder {}: {}", dir.string(), ec.message());
    std::sort(in_dir.begin(), in_dir.end());
    for (auto& file : in_dir) {
      const auto canonical = std::filesystem::weakly_canonical(file, ec);
      const auto& identity = ec ? file : canonical;
      if (std::find(seen.begin(), seen.end(), identity) != seen.end()) continue;
      seen.push_back(identity);
      files.push_back(std::move(file));
    }
  }
  return files;
}

// The scan outcome of each file: from the cache while the file is unchanged, else from a child.
std::vector<ScanOutcome> scan(const std::vector<std::filesystem::path>& files, const ScanSettings& settings) {
  std::vector<ScanOutcome> outcomes(files.size());
  if (files.empty()) return outcomes;
  ScanCache cache = ScanCache::read(settings.cache_file, settings.scanner);
  std::vector<std::filesystem::path> unknown;
  std::vector<size_t> unknown_at;
  for (size_t i = 0; i < files.size(); ++i) {
    if (auto cached = cache.find(files[i])) {
      spdlog::debug("plugin {}: scan result from the cache {}", files[i].string(), settings.cache_file.string());
      outcomes[i] = std::move(*cached);
    } else {
      unknown.push_back(files[i]);
      unknown_at.push_back(i);
    }
  }
  std::vector<ScanOutcome> scanned = scan_in_children(unknown, settings);
  for (size_t k = 0; k < scanned.size(); ++k) {
    cache.store(unknown[k], scanned[k]);
    outcomes[unknown_at[k]] = std::move(scanned[k]);
  }
  cache.write();
  return outcomes;
}

}  // namespace

PluginRegistry::PluginRegistry(std::vector<std::filesystem::path> search_path, const HostTables& tables)
    : search_path_(std::move(search_path)), tables_(tables) {}

PluginRegistry::PluginRegistry(PluginRegistry&& other) noexcept
    : search_path_(std::move(other.search_path_)),
      tables_(other.tables_),
      plugins_(std::move(other.plugins_)),
      skipped_(std::move(other.skipped_)),
      loaded_(std::move(other.loaded_)) {}

PluginRegistry::~PluginRegistry() = default;

PluginRegistry PluginRegistry::discover(const std::vector<std::filesystem::path>& plugin_dirs, const HostTables& tables,
                                        const ScanSettings& settings) {
  return load(plugin_search_path(plugin_dirs), tables, settings);
}

PluginRegistry PluginRegistry::load(std::vector<std::filesystem::path> search_path, const HostTables& tables,
                                    const ScanSettings& settings) {
  PluginRegistry registry(std::move(search_path), tables);
  const std::vector<std::filesystem::path> files = plugin_files(registry.search_path_);
  std::vector<ScanOutcome> outcomes = scan(files, settings);
  for (size_t i = 0; i < files.size(); ++i) {
    if (!outcomes[i].plugin) {
      registry.skip(files[i], std::move(outcomes[i].failure));
      continue;
    }
    PluginInfo& plugin = *outcomes[i].plugin;
    // An earlier folder overrides a later one: that is what the search order is for.
    const auto same_name = std::find_if(registry.plugins_.begin(), registry.plugins_.end(),
                                        [&](const PluginInfo& p) { return p.name == plugin.name; });
    if (same_name != registry.plugins_.end()) {
      registry.skipped_.push_back(
          {files[i], "plugin '" + plugin.name + "' is already loaded from " + same_name->path.string()});
      spdlog::info("plugin {} skipped: {}", files[i].string(), registry.skipped_.back().reason);
      continue;
    }
    registry.plugins_.push_back(std::move(plugin));
  }
  return registry;
}

void PluginRegistry::skip(const std::filesystem::path& file, std::string reason) {
  spdlog::warn("plugin {} skipped: {}", file.string(), reason);
  skipped_.push_back({file, std::move(reason)});
}

const PluginInfo* PluginRegistry::choose(std::string_view architecture, std::string_view forced_plugin_name) const {
  if (!forced_plugin_name.empty()) {
    const auto it = std::find_if(plugins_.begin(), plugins_.end(),
                                 [&](const PluginInfo& p) { return p.name == forced_plugin_name; });
    if (it == plugins_.end())
      throw PluginError("plugin '" + std::string(forced_plugin_name) + "' is not loaded");
    if (!it->handles(architecture))
      throw PluginError("plugin '" + it->name + "' (" + it->path.string() + ") does not handle architecture '" +
                        std::string(architecture) + "'");
    return &*it;
  }
  const PluginInfo* best = nullptr;
  for (const auto& p : plugins_)
    if (p.handles(architecture) && (best == nullptr || p.priority > best->priority)) best = &p;
  return best;
}

const LoadedPlugin* PluginRegistry::find(std::string_view architecture, std::string_view forced_plugin_name) const {
  const PluginInfo* info = choose(architecture, forced_plugin_name);
  return info != nullptr ? &loaded(*info) : nullptr;
}

const LoadedPlugin& PluginRegistry::loaded(const PluginInfo& info) const {
  std::lock_guard lock(loading_);
  if (auto it = loaded_.find(info.name); it != loaded_.end()) return *it->second;
  const auto refuse = [&](const std::string& reason) {
    return PluginError("plugin '" + info.name + "' (" + info.path.string() + ") passed the scan but cannot be loaded: " +
                       reason);
  };
  try {
    auto plugin = std::make_unique<LoadedPlugin>(LoadedPlugin::open(info.path));
    plugin->start(tables_);
    return *loaded_.emplace(info.name, std::move(plugin)).first->second;
  } catch (const PluginLoadError& e) {
    throw refuse(e.what());
  } catch (const std::exception& e) {  // e.g. a C++ plugin throwing out of init or create_plugin
    throw refuse(std::string("unexpected error: ") + e.what());
  }
}

std::vector<ContestedArchitecture> PluginRegistry::contested_architectures() const {
  std::map<std::string, std::vector<const PluginInfo*>> claims;
  for (const auto& p : plugins_)
    for (const auto& arch : p.architectures) claims[arch].push_back(&p);
  std::vector<ContestedArchitecture> out;
  for (auto& [arch, claimants] : claims) {
    if (claimants.size() < 2) continue;
    // Stable: equal priorities keep search order, as in find().
    std::stable_sort(claimants.begin(), claimants.end(),
                     [](const PluginInfo* a, const PluginInfo* b) { return a->priority > b->priority; });
    out.push_back({arch, std::move(claimants)});
  }
  return out;
}

}  // namespace rbee
