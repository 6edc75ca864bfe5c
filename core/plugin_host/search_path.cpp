#include "plugin_host/search_path.hpp"

#include <cstdlib>
#include <string_view>

namespace rbee {

namespace {

std::filesystem::path user_plugin_dir() {
  // The XDG spec says to ignore a relative XDG_DATA_HOME.
  const char* xdg = std::getenv("XDG_DATA_HOME");
  if (xdg != nullptr && std::filesystem::path(xdg).is_absolute())
    return std::filesystem::path(xdg) / "rbee" / "plugins";
  const char* home = std::getenv("HOME");
  if (home != nullptr && *home != '\0')
    return std::filesystem::path(home) / ".local" / "share" / "rbee" / "plugins";
  return {};
}

void append_env_list(std::vector<std::filesystem::path>& out, const char* list) {
  if (list == nullptr) return;
  std::string_view rest = list;
  while (!rest.empty()) {
    const size_t colon = rest.find(':');
    const std::string_view entry = rest.substr(0, colon);
    if (!entry.empty()) out.emplace_back(entry);
    if (colon == std::string_view::npos) break;
    rest.remove_prefix(colon + 1);
  }
}

}  // namespace

std::vector<std::filesystem::path> plugin_search_path(
    const std::vector<std::filesystem::path>& plugin_dirs) {
  std::vector<std::filesystem::path> dirs = plugin_dirs;
  append_env_list(dirs, std::getenv("RBEE_PLUGIN_PATH"));
  if (auto user = user_plugin_dir(); !user.empty()) dirs.push_back(std::move(user));
  dirs.emplace_back(RBEE_INSTALL_PLUGIN_DIR);
  dirs.emplace_back(RBEE_BUILD_PLUGIN_DIR);
  return dirs;
}

}  // namespace rbee
