#pragma once
#include <cstdint>

#include "formats/model_source.hpp"
#include "vulkan/device.hpp"

namespace rbee {

// The most device memory this process's buffers held at once, in bytes (rbee bench).
uint64_t peak_device_bytes();

// What the device can still hold: the budget VK_EXT_memory_budget gives for its largest
// device-local heap, less what is in use, where the driver has the extension; else that heap's
// size; for a CPU device (lavapipe, which states a nominal heap and overcommits) host memory.
struct DeviceRoom {
  uint64_t bytes = 0;
  const char* source = "";  // how bytes was found, for messages
};
DeviceRoom device_room(const vk::Device& device);

// Throws ModelError, before anything is allocated, when the weights of `source` and a KV cache
// of kv_bytes need more than device_room(): a clear refusal naming both sizes and the options
// that shrink the cache, where a GPU would otherwise fail midway (or swap) and lavapipe would
// overcommit.
void check_model_fits(const vk::Device& device, const ModelSource& source, uint64_t kv_bytes);

}  // namespace rbee
