#include "vulkan/kernel_config.hpp"

#include <algorithm>

namespace rbee {

KernelConfig KernelConfig::for_device(const vk::DeviceInfo& info) {
  // A CPU implementation runs a workgroup as one thread looping over its lanes: small groups
  // spread work over cores; GPUs want wide groups to hide latency.
  // One subgroup per matmul workgroup: the reduction needs no barrier.
  uint32_t subgroup_wg = info.subgroup_arithmetic ? std::clamp<uint32_t>(info.subgroup_size, 4, 128) : 0;
  if (info.type == "cpu")
    return {.reduce_wg = 64, .attention_wg = 32, .attention_rows = 16, .attention_split_groups = 16,
            .attention_split_keys = 512, .elementwise_wg = 64, .subgroup_wg = subgroup_wg, .subgroup_rows = 8,
            .texel_inputs = true, .fold_inputs = false, .row_kernels = subgroup_wg && info.subgroup_shuffle,
            .row_kernel_rows = 4, .row_kernel_vec_rows = 1, .max_binding_bytes = info.max_storage_buffer_range};
  return {.reduce_wg = 256, .attention_wg = 128, .attention_rows = 64, .attention_split_groups = 256,
          .attention_split_keys = 256, .elementwise_wg = 256, .subgroup_wg = subgroup_wg, .subgroup_rows = 2,
          .texel_inputs = false, .fold_inputs = true, .row_kernels = false,
          .max_binding_bytes = info.max_storage_buffer_range};
}

}  // namespace rbee
