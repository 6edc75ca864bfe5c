#pragma once
// The kernels that read weights, by family and weight type, as shaders/CMakeLists.txt builds
// them (shaders/weight_kernels.hpp, generated from its table): names are composed only here.
#include <string>
#include <string_view>

#include "shaders/weight_kernels.hpp"

namespace rbee::vk {

using shaders::WeightKernel;

// Whether kernels exist for the weight type named `type` ("q4_k").
bool has_weight_type(std::string_view type);

// The variant of `family` for weights of the type named `type` ("matvec_q4_k"); throws
// VulkanError naming both when the build makes none.
std::string weight_kernel(WeightKernel family, std::string_view type);

}  // namespace rbee::vk
