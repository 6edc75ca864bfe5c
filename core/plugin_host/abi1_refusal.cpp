#include "plugin_host/abi1_refusal.hpp"

#include <cstring>

#include "rbee/version.h"

namespace rbee {

namespace {

// The fields every rbee descriptor starts with, in ABI 1 as in 2.
struct VersionFields {
  uint32_t struct_size, abi_major, abi_minor;
};

}  // namespace

std::string abi1_refusal(Abi1EntryFn entry) {
  std::string plugin_version = "1.x";
  if (const void* descriptor = entry(RBEE_ABI_MAJOR, RBEE_ABI_MINOR)) {
    VersionFields v;
    std::memcpy(&v, descriptor, sizeof v);
    if (v.struct_size >= sizeof v) plugin_version = std::to_string(v.abi_major) + "." + std::to_string(v.abi_minor);
  }
  const std::string host_version = std::to_string(RBEE_ABI_MAJOR) + "." + std::to_string(RBEE_ABI_MINOR);
  return "built for rbee ABI " + plugin_version + " (exports " + kAbi1EntrySymbol + "), this host speaks ABI " +
         host_version + ": rebuild it against the " + host_version + " SDK";
}

}  // namespace rbee
