/* A plugin built for ABI 1.1: it exports the function rbee_plugin_entry(host_major, host_minor)
 * and no rbee_entry. Declared here by hand, as the 1.1 SDK had it (only the leading fields the
 * host reads matter), so that it needs none of the 2.0 headers. ABI1_RETURNS_NULL: the entry
 * refuses the host, as an ABI 1 plugin may. */
#include <stddef.h>
#include <stdint.h>

typedef struct abi1_descriptor {
  uint32_t struct_size;
  uint32_t abi_major;
  uint32_t abi_minor;
  const char* name;
} abi1_descriptor;

#ifdef ABI1_RETURNS_NULL
static const int k_refuses = 1;
#else
static const int k_refuses = 0;
#endif
static const abi1_descriptor k_descriptor = {sizeof(abi1_descriptor), 1, 1, "abi-one"};

__attribute__((visibility("default"))) const abi1_descriptor* rbee_plugin_entry(uint32_t host_major,
                                                                                uint32_t host_minor) {
  (void)host_major, (void)host_minor;
  return k_refuses ? NULL : &k_descriptor;
}
