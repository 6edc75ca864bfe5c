#pragma once
#include <cstdint>
#include <span>
#include <string_view>

namespace rbee::shaders {

// A variant's SPIR-V and its interface, reflected at build time (shaders/embed.cmake).
struct Shader {
  std::span<const uint32_t> spirv;
  uint32_t written_bindings;  // bit i: binding i is a storage buffer the shader may write
  uint32_t storage_bindings;  // bit i: binding i is a storage buffer
  uint32_t texel_bindings;    // bit i: binding i is a uniform texel buffer
  uint32_t push_bytes;        // size of its push-constant block (0: none)
};

// An embedded shader variant ("matmul_f16"), or nullptr.
const Shader* find(std::string_view name);

}  // namespace rbee::shaders
