#pragma once
// Which kernel variant reads a weight: its family and the weight's type, from the table the
// build generates (vulkan/weight_kernels.hpp).
#include <string>

#include "util/dtype.hpp"
#include "vulkan/weight_kernels.hpp"

namespace rbee {

using vk::WeightKernel;

// The variant of `family` for weights of type t ("matvec_q4_k"); throws naming the family and
// the type when the build makes none.
std::string weight_kernel(WeightKernel family, DType t);

}  // namespace rbee
