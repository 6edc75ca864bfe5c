#include "plugin_host/plugin_info.hpp"

#include <algorithm>

namespace rbee {

bool PluginInfo::handles(std::string_view architecture) const {
  return std::find(architectures.begin(), architectures.end(), architecture) != architectures.end();
}

nlohmann::json to_json(const PluginInfo& info) {
  return {{"name", info.name},
          {"version", info.version},
          {"description", info.description},
          {"priority", info.priority},
          {"architectures", info.architectures}};
}

PluginInfo plugin_info_from_json(const std::filesystem::path& path, const nlohmann::json& j) {
  return {.path = path,
          .name = j.at("name").get<std::string>(),
          .version = j.at("version").get<std::string>(),
          .description = j.at("description").get<std::string>(),
          .priority = j.at("priority").get<int32_t>(),
          .architectures = j.at("architectures").get<std::vector<std::string>>()};
}

}  // namespace rbee
