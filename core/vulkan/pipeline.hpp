#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include <vulkan/vulkan.h>

#include "shaders/embedded.hpp"
#include "vulkan/device.hpp"

namespace rbee::vk {

// A compute pipeline whose bindings are `n_buffers` storage buffers (binding i = buffer i), except
// those whose bit is set in `texel_bindings`, uniform texel buffers, and whose push constants are
// `push_bytes` bytes. Specialization constant i takes spec[i];
// constant 0 is the workgroup size by convention of rbee's shaders.
class Pipeline {
 public:
  Pipeline(const Device& device, const std::string& name, const shaders::Shader& shader, uint32_t n_buffers,
           uint32_t texel_bindings, uint32_t push_bytes, const std::vector<uint32_t>& spec);
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  VkPipeline handle() const { return pipeline_; }
  VkPipelineLayout layout() const { return layout_; }
  VkDescriptorSetLayout set_layout() const { return set_layout_; }
  uint32_t n_buffers() const { return n_buffers_; }
  uint32_t push_bytes() const { return push_bytes_; }
  const std::string& name() const { return name_; }
  // Bit i: the shader may write binding i.
  uint32_t written_bindings() const { return written_bindings_; }

 private:
  const Device& device_;
  std::string name_;
  uint32_t n_buffers_;
  uint32_t push_bytes_;
  uint32_t written_bindings_;
  VkShaderModule module_ = VK_NULL_HANDLE;
  VkDescriptorSetLayout set_layout_ = VK_NULL_HANDLE;
  VkPipelineLayout layout_ = VK_NULL_HANDLE;
  VkPipeline pipeline_ = VK_NULL_HANDLE;
};

// Pipelines by (shader name, specialization constants), built on first use from the SPIR-V
// embedded in the library (shaders/), through the device's persistent pipeline cache.
class PipelineSet {
 public:
  explicit PipelineSet(const Device& device) : device_(device) {}
  // A shader's name fixes its bindings, so (name, spec) is the key. Refuses (VulkanError) a
  // layout or push-constant size that does not fit the shader's SPIR-V (check_shader_interface).
  const Pipeline& get(const std::string& shader, uint32_t n_buffers, uint32_t texel_bindings, uint32_t push_bytes,
                      const std::vector<uint32_t>& spec);

 private:
  const Device& device_;
  std::map<std::tuple<std::string, std::vector<uint32_t>>, std::unique_ptr<Pipeline>> pipelines_;
};

}  // namespace rbee::vk
