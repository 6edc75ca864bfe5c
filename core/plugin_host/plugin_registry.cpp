#include "plugin_host/plugin_registry.hpp"

#include <algorithm>
#include <map>
#include <system_error>

#include <spdlog/spdlog.h>

#include "plugin_host/search_path.hpp"

namespace rbee {

PluginRegistry PluginRegistry::discover(const std::vector<std::filesystem::path>& plugin_dirs,
                                        const HostTables& tables) {
  return load(plugin_search_path(plugin_dirs), tables);
}

PluginRegistry PluginRegistry::load(std::vector<std::filesystem::path> search_path, const HostTables& tables) {
  PluginRegistry registry;
  registry.search_path_ = std::move(search_path);
  for (const auto& dir : registry.search_path_) registry.load_folder(dir, tables);
  return registry;
}

void PluginRegistry::load_folder(const std::filesystem::path& dir, const HostTables& tables) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) return;  // absent folders are normal
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".so" && entry.is_regular_file(ec)) files.push_back(entry.path());
  }
  if (ec) spdlog::warn("plugin folder {}: {}", dir.string(), ec.message());
  std::sort(files.begin(), files.end());
  for (const auto& file : files) load_file(file, tables);
}

void PluginRegistry::load_file(const std::filesystem::path& file, const HostTables& tables) {
  // The same file reached twice (a folder listed twice, a symlink) is one library: load it once.
  std::error_code ec;
  const auto canonical = std::filesystem::weakly_canonical(file, ec);
  const auto& identity = ec ? file : canonical;
  if (std::find(seen_files_.begin(), seen_files_.end(), identity) != seen_files_.end()) return;
  seen_files_.push_back(identity);

  try {
    LoadedPlugin plugin = LoadedPlugin::open(file);
    // An earlier folder overrides a later one: that is what the search order is for.
    const auto same_name = std::find_if(plugins_.begin(), plugins_.end(),
                                        [&](const LoadedPlugin& p) { return p.name() == plugin.name(); });
    if (same_name != plugins_.end()) {
      skipped_.push_back({file, "plugin '" + plugin.name() + "' is already loaded from " +
                                    same_name->path().string()});
      spdlog::info("plugin {} skipped: {}", file.string(), skipped_.back().reason);
      return;
    }
    plugin.start(tables);
    plugins_.push_back(std::move(plugin));
  } catch (const PluginLoadError& e) {
    skip(file, e.what());
  } catch (const std::exception& e) {  // e.g. a C++ plugin throwing out of init or create_plugin
    skip(file, std::string("unexpected error: ") + e.what());
  } catch (...) {
    skip(file, "unexpected error of unknown type");
  }
}

void PluginRegistry::skip(const std::filesystem::path& file, std::string reason) {
  spdlog::warn("plugin {} skipped: {}", file.string(), reason);
  skipped_.push_back({file, std::move(reason)});
}

const LoadedPlugin* PluginRegistry::find(std::string_view architecture,
                                         std::string_view forced_plugin_name) const {
  if (!forced_plugin_name.empty()) {
    const auto it = std::find_if(plugins_.begin(), plugins_.end(),
                                 [&](const LoadedPlugin& p) { return p.name() == forced_plugin_name; });
    if (it == plugins_.end())
      throw PluginError("plugin '" + std::string(forced_plugin_name) + "' is not loaded");
    if (!it->handles(architecture))
      throw PluginError("plugin '" + it->name() + "' (" + it->path().string() +
                        ") does not handle architecture '" + std::string(architecture) + "'");
    return &*it;
  }
  const LoadedPlugin* best = nullptr;
  for (const auto& p : plugins_)
    if (p.handles(architecture) && (best == nullptr || p.priority() > best->priority())) best = &p;
  return best;
}

std::vector<ContestedArchitecture> PluginRegistry::contested_architectures() const {
  std::map<std::string, std::vector<const LoadedPlugin*>> claims;
  for (const auto& p : plugins_)
    for (const auto& arch : p.architectures()) claims[arch].push_back(&p);
  std::vector<ContestedArchitecture> out;
  for (auto& [arch, claimants] : claims) {
    if (claimants.size() < 2) continue;
    // Stable: equal priorities keep search order, as in find().
    std::stable_sort(claimants.begin(), claimants.end(),
                     [](const LoadedPlugin* a, const LoadedPlugin* b) { return a->priority() > b->priority(); });
    out.push_back({arch, std::move(claimants)});
  }
  return out;
}

}  // namespace rbee
