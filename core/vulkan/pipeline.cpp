#include "vulkan/pipeline.hpp"

#include "vulkan/error.hpp"
#include "vulkan/shader_interface.hpp"

namespace rbee::vk {

Pipeline::Pipeline(const Device& device, const std::string& name, const shaders::Shader& shader,
                   uint32_t n_buffers, uint32_t texel_bindings, uint32_t push_bytes, const std::vector<uint32_t>& spec)
    : device_(device),
      name_(name),
      n_buffers_(n_buffers),
      push_bytes_(push_bytes),
      written_bindings_(shader.written_bindings) {
  VkShaderModuleCreateInfo smci{VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO};
  smci.codeSize = shader.spirv.size_bytes();
  smci.pCode = shader.spirv.data();
  check(vkCreateShaderModule(device.handle(), &smci, nullptr, &module_), "vkCreateShaderModule");

  std::vector<VkDescriptorSetLayoutBinding> bindings(n_buffers);
  for (uint32_t i = 0; i < n_buffers; ++i)
    bindings[i] = {i, (texel_bindings >> i & 1u) ? VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER : VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                   1, VK_SHADER_STAGE_COMPUTE_BIT, nullptr};
  VkDescriptorSetLayoutCreateInfo dlci{VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO};
  dlci.bindingCount = n_buffers;
  dlci.pBindings = bindings.data();
  check(vkCreateDescriptorSetLayout(device.handle(), &dlci, nullptr, &set_layout_), "vkCreateDescriptorSetLayout");

  VkPushConstantRange range{VK_SHADER_STAGE_COMPUTE_BIT, 0, push_bytes};
  VkPipelineLayoutCreateInfo plci{VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO};
  plci.setLayoutCount = 1;
  plci.pSetLayouts = &set_layout_;
  plci.pushConstantRangeCount = push_bytes ? 1 : 0;
  plci.pPushConstantRanges = push_bytes ? &range : nullptr;
  check(vkCreatePipelineLayout(device.handle(), &plci, nullptr, &layout_), "vkCreatePipelineLayout");

  std::vector<VkSpecializationMapEntry> entries(spec.size());
  for (uint32_t i = 0; i < spec.size(); ++i) entries[i] = {i, i * 4u, 4};
  VkSpecializationInfo si{static_cast<uint32_t>(entries.size()), entries.data(), spec.size() * 4, spec.data()};
  VkComputePipelineCreateInfo cpci{VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO};
  cpci.stage = {VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO};
  cpci.stage.stage = VK_SHADER_STAGE_COMPUTE_BIT;
  cpci.stage.module = module_;
  cpci.stage.pName = "main";
  cpci.stage.pSpecializationInfo = spec.empty() ? nullptr : &si;
  cpci.layout = layout_;
  VkResult r = vkCreateComputePipelines(device.handle(), device.pipeline_cache(), 1, &cpci, nullptr, &pipeline_);
  if (r != VK_SUCCESS) check(r, ("vkCreateComputePipelines(" + name + ")").c_str());
}

Pipeline::~Pipeline() {
  vkDestroyPipeline(device_.handle(), pipeline_, nullptr);
  vkDestroyPipelineLayout(device_.handle(), layout_, nullptr);
  vkDestroyDescriptorSetLayout(device_.handle(), set_layout_, nullptr);
  vkDestroyShaderModule(device_.handle(), module_, nullptr);
}

const Pipeline& PipelineSet::get(const std::string& shader, uint32_t n_buffers, uint32_t texel_bindings,
                                 uint32_t push_bytes, const std::vector<uint32_t>& spec) {
  const shaders::Shader* embedded = shaders::find(shader);
  if (!embedded) throw VulkanError("no embedded shader named " + shader);
  // On every call: a cached pipeline has the layout its first caller asked for.
  check_shader_interface(shader, *embedded, n_buffers, texel_bindings, push_bytes);
  auto key = std::make_tuple(shader, spec);
  auto it = pipelines_.find(key);
  if (it != pipelines_.end()) return *it->second;
  auto p = std::make_unique<Pipeline>(device_, shader, *embedded, n_buffers, texel_bindings, push_bytes, spec);
  const Pipeline& ref = *p;
  pipelines_.emplace(std::move(key), std::move(p));
  return ref;
}

}  // namespace rbee::vk
