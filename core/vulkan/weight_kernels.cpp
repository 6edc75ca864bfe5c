#include "vulkan/weight_kernels.hpp"

#include <algorithm>
#include <cstddef>
#include <iterator>

#include "vulkan/error.hpp"

namespace rbee::vk {
namespace {

const shaders::WeightType* find_type(std::string_view type) {
  auto it = std::find_if(std::begin(shaders::kWeightTypes), std::end(shaders::kWeightTypes),
                         [&](const shaders::WeightType& t) { return t.name == type; });
  return it == std::end(shaders::kWeightTypes) ? nullptr : &*it;
}

}  // namespace

bool has_weight_type(std::string_view type) { return find_type(type) != nullptr; }

std::string weight_kernel(WeightKernel family, std::string_view type) {
  const shaders::WeightKernelFamily& f = shaders::kWeightKernels[static_cast<size_t>(family)];
  const shaders::WeightType* t = find_type(type);
  if (!t || (f.blocks_only && !t->blocks))
    throw VulkanError("no " + std::string(f.name) + " kernel for weight type " + std::string(type) +
                      " (shaders/CMakeLists.txt builds none)");
  return std::string(f.name) + "_" + std::string(type);
}

}  // namespace rbee::vk
