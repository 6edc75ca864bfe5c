#include "plugin_host/plugin_scan.hpp"

#include <cstdio>
#include <string>

#include <unistd.h>
#if defined(__linux__)
#include <signal.h>
#include <sys/prctl.h>
#endif

#include <nlohmann/json.hpp>

#include "plugin_host/loaded_plugin.hpp"
#include "plugin_host/plugin_info.hpp"
#include "plugin_host/scan_protocol.hpp"

namespace rbee {

namespace {

// Writes one protocol line in full, whatever the plugin does to stdio buffers.
void answer(int fd, const nlohmann::json& message) {
  // A plugin's strings need not be UTF-8: replace what is not rather than throw.
  const std::string line = message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  for (size_t done = 0; done < line.size();) {
    const ssize_t n = ::write(fd, line.data() + done, line.size() - done);
    if (n < 0) return;  // the parent went away: nobody is left to tell
    done += static_cast<size_t>(n);
  }
}

PluginInfo info_of(const LoadedPlugin& p) {
  return {.path = p.path(),
          .name = p.name(),
          .version = p.version(),
          .description = p.description(),
          .priority = p.priority(),
          .architectures = p.architectures()};
}

}  // namespace

int run_plugin_scan(int argc, char** argv, const HostTables& tables) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s PLUGIN.so (run by rbee to check a plugin in a process of its own)\n", argv[0]);
    return scan_protocol::kUsageStatus;
  }
#if defined(__linux__)
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // a plugin hanging here must not outlive the host
#endif
  // The answer gets stdout's pipe to itself; anything the plugin prints lands on stderr.
  const int protocol = ::dup(STDOUT_FILENO);
  ::dup2(STDERR_FILENO, STDOUT_FILENO);

  const std::filesystem::path path = argv[1];
  const auto announce = [protocol](const std::filesystem::path& plugin, std::string_view call) {
    log_call(plugin, call);
    answer(protocol, {{scan_protocol::kCalling, std::string(call)}});
  };
  try {
    LoadedPlugin plugin = LoadedPlugin::open(path, announce);
    plugin.start(tables);
    answer(protocol, {{scan_protocol::kPlugin, to_json(info_of(plugin))}});
  } catch (const PluginLoadError& e) {
    answer(protocol, {{scan_protocol::kRefused, e.what()}});
  } catch (const std::exception& e) {  // e.g. a C++ plugin throwing out of init or create_plugin
    answer(protocol, {{scan_protocol::kRefused, std::string("unexpected error: ") + e.what()}});
  } catch (...) {
    answer(protocol, {{scan_protocol::kRefused, "unexpected error of unknown type"}});
  }
  return 0;
}

}  // namespace rbee
