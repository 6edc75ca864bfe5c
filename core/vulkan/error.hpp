#pragma once
#include <stdexcept>
#include <string>

#include <vulkan/vulkan.h>

#include "rbee/status.h"

namespace rbee::vk {

// A Vulkan failure turned into an rbee status and a message that says what was being done.
class VulkanError : public std::runtime_error {
 public:
  VulkanError(rbee_status status, const std::string& message)
      : std::runtime_error(message), status_(status) {}
  rbee_status status() const { return status_; }

 private:
  rbee_status status_;
};

const char* result_name(VkResult result);

// Throws VulkanError when result is not VK_SUCCESS; `what` names the call.
void check(VkResult result, const char* what);

}  // namespace rbee::vk
