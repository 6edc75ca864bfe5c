#pragma once
#include <filesystem>
#include <memory>
#include <vector>

#include "plugin_host/plugin_registry.hpp"
#include "vulkan/device.hpp"
#include "vulkan/pipeline.hpp"

namespace rbee {

struct RuntimeOptions {
  int device = -1;  // < 0: the best device
  std::vector<std::filesystem::path> plugin_dirs;
};

// What models share: the Vulkan device, its pipelines and the plugins (one instance each, with a
// host of its own). Runtimes share nothing: several may live in one process, created and
// destroyed in any order. Models must go before their Runtime.
class Runtime {
 public:
  explicit Runtime(const RuntimeOptions& options);
  ~Runtime();

  const vk::Device& device() const { return *device_; }
  vk::PipelineSet& pipelines() { return *pipelines_; }
  const PluginRegistry& plugins() const { return *registry_; }

 private:
  std::unique_ptr<PluginRegistry> registry_;
  std::shared_ptr<vk::Instance> instance_;
  std::unique_ptr<vk::Device> device_;
  std::unique_ptr<vk::PipelineSet> pipelines_;
};

}  // namespace rbee
