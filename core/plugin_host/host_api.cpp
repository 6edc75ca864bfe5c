#include "plugin_host/host_api.hpp"

#include <cstring>

#include <spdlog/spdlog.h>

#include "plugin_host/source_api.hpp"

namespace rbee {

namespace {

const HostContext* context_of(const rbee_host* host) {
  return host != nullptr ? static_cast<const HostContext*>(host->host_data) : nullptr;
}

spdlog::level::level_enum to_spdlog(rbee_log_level level) {
  switch (level) {
    case RBEE_LOG_DEBUG: return spdlog::level::debug;
    case RBEE_LOG_INFO: return spdlog::level::info;
    case RBEE_LOG_WARN: return spdlog::level::warn;
    case RBEE_LOG_ERROR: return spdlog::level::err;
  }
  return spdlog::level::info;
}

void log(const rbee_host* host, rbee_log_level level, const char* message) noexcept {
  try {
    const HostContext* context = context_of(host);
    spdlog::log(to_spdlog(level), "[{}] {}", context != nullptr ? context->plugin_name : "plugin",
                message != nullptr ? message : "");
  } catch (...) {  // logging must never take the plugin down
  }
}

const void* get_extension(const rbee_host* host, const char* id) noexcept {
  const HostContext* context = context_of(host);
  if (context == nullptr || id == nullptr) return nullptr;
  if (std::strcmp(id, RBEE_EXT_GRAPH_MOE) == 0) return context->tables.moe;
  if (std::strcmp(id, RBEE_EXT_GRAPH_HEADS) == 0) return context->tables.heads;
  if (std::strcmp(id, RBEE_EXT_GRAPH_EXPERTS) == 0) return context->tables.experts;
  return nullptr;
}

}  // namespace

rbee_host make_host(const HostContext& context) {
  rbee_host host{};
  host.struct_size = sizeof host;
  host.abi_major = RBEE_ABI_MAJOR;
  host.abi_minor = RBEE_ABI_MINOR;
  host.host_data = const_cast<HostContext*>(&context);  // read back only as const
  host.name = "rbee";
  host.version = RBEE_HOST_VERSION;
  host.log = log;
  host.source = source_api();
  host.graph = context.tables.graph;
  host.get_extension = get_extension;
  return host;
}

}  // namespace rbee
