#include "plugin_host/host_api.hpp"

#include <spdlog/spdlog.h>

#include "plugin_host/source_api.hpp"

namespace rbee {

namespace {

spdlog::level::level_enum to_spdlog(rbee_log_level level) {
  switch (level) {
    case RBEE_LOG_DEBUG: return spdlog::level::debug;
    case RBEE_LOG_INFO: return spdlog::level::info;
    case RBEE_LOG_WARN: return spdlog::level::warn;
    case RBEE_LOG_ERROR: return spdlog::level::err;
  }
  return spdlog::level::info;
}

void log(rbee_log_level level, const char* plugin_name, const char* message) noexcept {
  try {
    spdlog::log(to_spdlog(level), "[{}] {}", plugin_name != nullptr ? plugin_name : "plugin",
                message != nullptr ? message : "");
  } catch (...) {  // logging must never take the plugin down
  }
}

const void* get_extension(const char*) noexcept { return nullptr; }

}  // namespace

rbee_host_api make_host_api(const rbee_graph_api* graph) {
  rbee_host_api api{};
  api.struct_size = sizeof api;
  api.abi_major = RBEE_ABI_MAJOR;
  api.abi_minor = RBEE_ABI_MINOR;
  api.log = log;
  api.source = source_api();
  api.graph = graph;
  api.get_extension = get_extension;
  return api;
}

}  // namespace rbee
