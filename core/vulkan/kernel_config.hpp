#pragma once
// Device policy: which kernels and workgroup sizes suit a device, from its properties alone.
// The executor (core/graph) records whatever this chooses; tests pass other choices to reach
// fallback paths.
#include <cstdint>

#include "vulkan/device.hpp"

namespace rbee {

// Kernel families and workgroup sizes: for_device's choice, or a test's.
struct KernelConfig {
  uint32_t reduce_wg;     // norm and matmul rows (power of two, <= 256)
  uint32_t attention_wg;  // power of two, 32..256
  // Query rows per workgroup of the tiled attention (attention_tiled.comp). Storage buffers
  // (GPUs): a lane each. Texel reads (CPU implementations): the workgroup is one subgroup with
  // a key per lane and holds every row's query in each lane; at most this many rows (fewer for
  // large heads, see tiled_attention), which share each key fetch (lavapipe, tiny llama, d16
  // heads, pp16384 on a shared machine: 16 rows 4,650-5,060 tokens/s, 8 rows 4,095-4,705;
  // pp4096: 8 rows 9,200-10,300, 4 rows 7,600-9,500, 2 rows 6,000-7,500).
  uint32_t attention_rows;
  // Split-K attention (flash-decoding): where a step's attention would run fewer than
  // attention_split_groups workgroups (decode: one per head or KV head), each row's keys are
  // split over more workgroups, each split worth at least attention_split_keys positions of
  // the cache's capacity, and a second pass merges the partials. 0: never split.
  uint32_t attention_split_groups = 0;
  uint32_t attention_split_keys = 0;
  uint32_t elementwise_wg;
  // matvec/matmul_subgroup: lanes (0 without subgroup arithmetic: the portable matmul runs
  // instead) and output features per workgroup (<= 8).
  uint32_t subgroup_wg;
  uint32_t subgroup_rows;
  // matvec/matmul_subgroup read weights and inputs, attention the KV cache, through uniform
  // texel buffers (the *_texel_* variants). A CPU implementation loads a storage buffer lane by lane, with a
  // branch per lane, but fetches texels with vector gathers: lavapipe runs these kernels
  // about twice as fast so. GPUs keep storage buffers.
  bool texel_inputs;
  // Fold the gated units and RMS norms that compute a linear's input into the linear (see
  // Fusions). Every workgroup of the linear then redoes their arithmetic on the whole input:
  // free where a mat-vec waits on memory (GPUs), a loss on a CPU implementation, which computes
  // it (lavapipe, SmolLM2-135M Q8_0: pp64 44 with the gated units folded, 51 without; norms
  // folded too, 38; tg even).
  bool fold_inputs;
  // Block-quantized linears without a folded input run matmul_rows (a lane per output row,
  // whole blocks fetched as 16-byte texels, shared input tiles): the kernel for devices that
  // run a subgroup as SIMD lanes of one CPU thread. Needs subgroup shuffles.
  bool row_kernels;
  // Output rows per lane of matmul_rows (batches) and matvec_rows (one token), 1..4: each
  // input element passed around then feeds that many rows, and there are that many times fewer
  // workgroups to launch.
  uint32_t row_kernel_rows = 1;
  uint32_t row_kernel_vec_rows = 1;
  // The most bytes one storage-buffer binding may span (maxStorageBufferRange). A linear or
  // embedding whose weights are larger runs as several dispatches over slices of its rows.
  uint64_t max_binding_bytes;
  static KernelConfig for_device(const vk::DeviceInfo& info);
};

}  // namespace rbee
