#pragma once
// The kernels other than those that read weights (vulkan/weight_kernels.hpp), as
// shaders/CMakeLists.txt builds them (shaders/kernels.hpp and shaders/kv_kernels.hpp, generated
// from its tables): those that exist once by enumerator (Kernel::Norm), the KV cache's by their
// family's struct (Attention{.kv, .rope, .wide, .texel}), so that each name asked for is built.
#include "shaders/kernels.hpp"
#include "shaders/kv_kernels.hpp"

namespace rbee::vk {

using shaders::Attention;
using shaders::AttentionTiled;
using shaders::Kernel;
using shaders::kernel_name;
using shaders::KvStore;
using shaders::KvType;

}  // namespace rbee::vk
