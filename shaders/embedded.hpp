#pragma once
#include <cstdint>
#include <span>
#include <string_view>

namespace rbee::shaders {

struct Shader {
  std::span<const uint32_t> spirv;
  uint32_t written_bindings;  // bit i: binding i is a storage buffer the shader may write
};

// An embedded shader variant ("matmul_f16"), or nullptr.
const Shader* find(std::string_view name);

}  // namespace rbee::shaders
