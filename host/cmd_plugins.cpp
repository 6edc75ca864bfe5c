// rbee plugins: where plugins are searched, which passed the scan, which were skipped (crashed, hung,
// refused: each with the reason) and who wins.
#include <cstdio>

#include "commands.hpp"
#include "engine/discovery.hpp"

namespace rbee::host {
namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

void plugins(const GlobalArgs& global) {
  PluginRegistry registry = discover_plugins(runtime_options(global).plugin_dirs);
  std::printf("search path:\n");
  for (const auto& dir : registry.search_path()) std::printf("  %s\n", dir.c_str());
  std::printf("plugins:\n");
  for (const auto& p : registry.plugins())
    std::printf("  %-10s %-8s priority %-3d %s\n             architectures: %s\n             %s\n", p.name.c_str(),
                p.version.c_str(), p.priority, p.path.c_str(), join(p.architectures).c_str(), p.description.c_str());
  if (registry.plugins().empty()) std::printf("  (none)\n");
  for (const auto& c : registry.contested_architectures()) {
    std::printf("architecture %s is claimed by", c.architecture.c_str());
    for (const auto* p : c.claimants) std::printf(" %s (priority %d, %s)", p->name.c_str(), p->priority, p->path.c_str());
    std::printf("; %s wins (use --plugin NAME to choose)\n", c.claimants.front()->name.c_str());
  }
  for (const auto& s : registry.skipped()) std::printf("skipped %s: %s\n", s.path.c_str(), s.reason.c_str());
}

}  // namespace

void add_plugins_command(CLI::App& app, const GlobalArgs& global) {
  CLI::App* cmd = app.add_subcommand("plugins", "list the model-family plugins found and the choices made");
  cmd->callback([&global] { plugins(global); });
}

}  // namespace rbee::host
