#include "vulkan/shader_interface.hpp"

#include <bit>

#include "vulkan/error.hpp"

namespace rbee::vk {

namespace {
const char* descriptor_kind(bool texel) { return texel ? "uniform texel buffer" : "storage buffer"; }
}  // namespace

void check_shader_interface(const std::string& name, const shaders::Shader& shader, uint32_t n_buffers,
                            uint32_t texel_bindings, uint32_t push_bytes) {
  const uint32_t declared = shader.storage_bindings | shader.texel_bindings;
  const uint32_t needed = static_cast<uint32_t>(std::bit_width(declared));
  if (n_buffers < needed)
    throw VulkanError("kernel " + name + ": the shader declares bindings up to " + std::to_string(needed - 1) +
                      " (expected " + std::to_string(needed) + " buffers), the dispatch binds " +
                      std::to_string(n_buffers));
  for (uint32_t i = 0; i < needed; ++i) {
    if (!(declared >> i & 1u)) continue;
    const bool expected = shader.texel_bindings >> i & 1u, actual = texel_bindings >> i & 1u;
    if (expected != actual)
      throw VulkanError("kernel " + name + ": binding " + std::to_string(i) + " is a " + descriptor_kind(expected) +
                        " in the shader, the dispatch binds a " + descriptor_kind(actual));
  }
  if (push_bytes != shader.push_bytes)
    throw VulkanError("kernel " + name + ": the shader's push constants are " + std::to_string(shader.push_bytes) +
                      " bytes (expected), the dispatch pushes " + std::to_string(push_bytes));
}

}  // namespace rbee::vk
