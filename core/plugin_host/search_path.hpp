#pragma once
#include <filesystem>
#include <vector>

namespace rbee {

// The folders searched for plugins, first wins: plugin_dirs (from --plugin-dir), the
// RBEE_PLUGIN_PATH entries (colon-separated), the user folder ($XDG_DATA_HOME/rbee/plugins or
// ~/.local/share/rbee/plugins), the install folder relative to the running executable
// (<exe>/../lib/rbee/plugins: a relocated install), the install folder of the configured prefix
// (when it differs), and the build tree's plugin folder when the executable runs from the build
// tree. Folders that do not exist are listed too; loading skips them.
std::vector<std::filesystem::path> plugin_search_path(
    const std::vector<std::filesystem::path>& plugin_dirs);

}  // namespace rbee
