#pragma once
#include <cstdint>
#include <string>

namespace rbee {

// The exported function of an ABI 1 plugin (no longer declared by the SDK headers).
constexpr const char* kAbi1EntrySymbol = "rbee_plugin_entry";
using Abi1EntryFn = const void* (*)(uint32_t host_major, uint32_t host_minor);

// Why an ABI 1 plugin cannot load, naming its version and this host's: asks the old entry for
// its descriptor, whose first fields were uint32 struct_size, abi_major and abi_minor as in 2.0
// ("ABI 1.x" when it returns NULL or too small a descriptor).
std::string abi1_refusal(Abi1EntryFn entry);

}  // namespace rbee
