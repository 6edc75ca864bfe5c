#include "engine/runtime.hpp"

#include "graph/graph.hpp"
#include "plugin_host/host_api.hpp"

namespace rbee {

Runtime::Runtime(const RuntimeOptions& options)
    : host_api_(make_host_api(graph_api())),
      registry_(std::make_unique<PluginRegistry>(PluginRegistry::discover(options.plugin_dirs, &host_api_))),
      instance_(std::make_shared<vk::Instance>()),
      device_(std::make_unique<vk::Device>(instance_, options.device)),
      pipelines_(std::make_unique<vk::PipelineSet>(*device_)) {}

Runtime::~Runtime() {
  pipelines_.reset();
  device_.reset();
}

}  // namespace rbee
