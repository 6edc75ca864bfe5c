#include "engine/runtime.hpp"

#include "engine/discovery.hpp"

namespace rbee {

Runtime::Runtime(const RuntimeOptions& options)
    : registry_(std::make_unique<PluginRegistry>(discover_plugins(options.plugin_dirs))),
      instance_(std::make_shared<vk::Instance>()),
      device_(std::make_unique<vk::Device>(instance_, options.device)),
      pipelines_(std::make_unique<vk::PipelineSet>(*device_)) {}

Runtime::~Runtime() {
  pipelines_.reset();
  device_.reset();
}

}  // namespace rbee
