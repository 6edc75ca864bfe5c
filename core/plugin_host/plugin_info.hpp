#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace rbee {

// What the scan learnt of a plugin library (its rbee_entry), without keeping it loaded.
struct PluginInfo {
  std::filesystem::path path;
  std::string name, version, description;
  int32_t priority = 0;
  std::vector<std::string> architectures;

  bool handles(std::string_view architecture) const;
};

// The scanner's answer and the cache both carry PluginInfo as JSON; the path is not part of it.
nlohmann::json to_json(const PluginInfo& info);
// Throws nlohmann::json::exception when a field is missing or of the wrong type.
PluginInfo plugin_info_from_json(const std::filesystem::path& path, const nlohmann::json& j);

}  // namespace rbee
