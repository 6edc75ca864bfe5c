#pragma once
#include <cstdint>
#include <span>
#include <string_view>

namespace rbee::shaders {

// SPIR-V of an embedded shader variant ("matmul_f16"), or an empty span.
std::span<const uint32_t> spirv(std::string_view name);

}  // namespace rbee::shaders
