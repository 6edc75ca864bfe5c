#pragma once
#include <cstdint>

namespace rbee {

// The most device memory this process's buffers held at once, in bytes (rbee bench).
uint64_t peak_device_bytes();

}  // namespace rbee
