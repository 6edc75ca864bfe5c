#pragma once
#include <stdexcept>
#include <string>

#include <vulkan/vulkan.h>

namespace rbee::vk {

// A Vulkan failure, with a message that says what was being done.
class VulkanError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

const char* result_name(VkResult result);

// Throws VulkanError when result is not VK_SUCCESS; `what` names the call.
void check(VkResult result, const char* what);

}  // namespace rbee::vk
