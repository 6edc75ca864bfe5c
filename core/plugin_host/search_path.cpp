#include "plugin_host/search_path.hpp"

#include <cstdlib>
#include <string_view>
#include <system_error>

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

// The running executable, or empty when /proc/self/exe cannot be read.
std::filesystem::path self_executable() {
  std::error_code ec;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::path() : self;
}

// True when `path` lies inside folder `dir`.
bool is_inside(const std::filesystem::path& path, const std::filesystem::path& dir) {
  const std::filesystem::path rel = path.lexically_relative(dir);
  return !rel.empty() && *rel.begin() != "..";
}

}  // namespace

std::vector<std::filesystem::path> plugin_search_path(
    const std::vector<std::filesystem::path>& plugin_dirs) {
  std::vector<std::filesystem::path> dirs = plugin_dirs;
  append_env_list(dirs, std::getenv("RBEE_PLUGIN_PATH"));
  if (auto user = user_plugin_dir(); !user.empty()) dirs.push_back(std::move(user));
  // An installed rbee finds its plugins relative to itself first, so that a tree unpacked
  // anywhere (the .tar.gz) or installed under another prefix runs its own plugins.
  const std::filesystem::path self = self_executable();
  const std::filesystem::path beside =
      self.empty() ? std::filesystem::path() : (self.parent_path() / RBEE_PLUGIN_DIR_FROM_BINDIR).lexically_normal();
  if (!beside.empty()) dirs.push_back(beside);
  if (beside != RBEE_INSTALL_PLUGIN_DIR) dirs.emplace_back(RBEE_INSTALL_PLUGIN_DIR);
  // The build tree's plugins serve only executables that run from the build tree.
  const std::filesystem::path build_plugins = RBEE_BUILD_PLUGIN_DIR;
  if (!self.empty() && is_inside(self, build_plugins.parent_path())) dirs.push_back(build_plugins);
  return dirs;
}

}  // namespace rbee
