#include "engine/device_memory.hpp"

#include "vulkan/buffer.hpp"

namespace rbee {

uint64_t peak_device_bytes() { return vk::peak_device_bytes(); }

}  // namespace rbee
