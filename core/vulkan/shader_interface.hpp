#pragma once
#include <cstdint>
#include <string>

#include "shaders/embedded.hpp"

namespace rbee::vk {

// Throws VulkanError, naming the kernel, what its SPIR-V declares and what the dispatch asked
// for, unless a pipeline layout of n_buffers bindings (texel_bindings: those bound as uniform
// texel buffers) and push_bytes of push constants fits the shader: every binding it declares
// present with its kind of descriptor, its push-constant block pushed whole. Bindings past
// those it declares are allowed: stubs of variants that share a binding table.
void check_shader_interface(const std::string& name, const shaders::Shader& shader, uint32_t n_buffers,
                            uint32_t texel_bindings, uint32_t push_bytes);

}  // namespace rbee::vk
