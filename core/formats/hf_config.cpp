#include "formats/hf_config.hpp"

#include "formats/model_source.hpp"
#include "util/read_file.hpp"

namespace rbee {

namespace {

using nlohmann::json;

// {"full_attention": {...}, "sliding_attention": {...}}: one parameter set per layer type.
bool is_per_layer_type(const json& params) {
  if (params.empty()) return false;
  for (const auto& [key, value] : params.items()) {
    if (!value.is_object()) return false;
  }
  return true;
}

// Gives a scaling object both the old ("type") and new ("rope_type") name of its kind.
void name_both_types(json& scaling) {
  if (!scaling.is_object()) return;
  if (!scaling.contains("rope_type") && scaling.contains("type")) scaling["rope_type"] = scaling["type"];
  if (!scaling.contains("type") && scaling.contains("rope_type")) scaling["type"] = scaling["rope_type"];
}

// Keys that older configs keep at the top level rather than in rope_scaling.
constexpr const char* kTopLevelKeys[] = {"rope_theta", "partial_rotary_factor"};

void old_from_new(json& config, const json& params) {
  for (const char* key : kTopLevelKeys) {
    if (!config.contains(key) && params.contains(key)) config[key] = params[key];
  }
  if (config.contains("rope_scaling")) return;
  json scaling = params;
  for (const char* key : kTopLevelKeys) scaling.erase(key);
  name_both_types(scaling);
  const bool unscaled = !scaling.contains("rope_type") || scaling["rope_type"] == "default";
  config["rope_scaling"] = unscaled ? json(nullptr) : scaling;
}

void new_from_old(json& config) {
  json params = json::object();
  for (const char* key : kTopLevelKeys) {
    if (config.contains(key)) params[key] = config[key];
  }
  const auto scaling = config.find("rope_scaling");
  if (scaling != config.end() && scaling->is_object()) {
    for (const auto& [key, value] : scaling->items()) {
      if (key != "type") params[key] = value;
    }
    if (!params.contains("rope_type") && scaling->contains("type"))
      params["rope_type"] = (*scaling)["type"];
  }
  if (!params.contains("rope_type")) params["rope_type"] = "default";
  config["rope_parameters"] = std::move(params);
}

}  // namespace

void normalize_rope(json& config) {
  if (!config.is_object()) return;
  if (auto scaling = config.find("rope_scaling"); scaling != config.end()) name_both_types(*scaling);

  const auto params = config.find("rope_parameters");
  if (params == config.end() || params->is_null()) {
    if (config.contains("rope_theta") || config.contains("rope_scaling") ||
        config.contains("partial_rotary_factor")) {
      new_from_old(config);
    }
    return;
  }
  if (!params->is_object() || is_per_layer_type(*params)) return;
  old_from_new(config, *params);  // std::map inserts keep `params` valid
}

json load_hf_config(const std::filesystem::path& file) {
  std::error_code ec;
  if (std::filesystem::status(file, ec).type() == std::filesystem::file_type::not_found)
    throw FormatError(file.string() + ": no such file (a model folder needs config.json)");
  json config = json::parse(read_regular_file(file), nullptr, /*allow_exceptions=*/false);
  if (config.is_discarded()) throw FormatError(file.string() + ": not valid JSON");
  if (!config.is_object()) throw FormatError(file.string() + ": expected a JSON object");
  normalize_rope(config);
  return config;
}

}  // namespace rbee
