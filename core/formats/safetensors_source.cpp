#include <map>
#include <set>
#include <string>

#include <spdlog/spdlog.h>

#include "formats/fp8.hpp"
#include "formats/hf_config.hpp"
#include "formats/mxfp4_planes.hpp"
#include "formats/safetensors.hpp"
#include "util/read_file.hpp"

namespace rbee {

namespace fs = std::filesystem;
using nlohmann::json;

SafetensorsSource::SafetensorsSource(const fs::path& folder, const SourceOptions& options)
    : folder_(folder) {
  config_ = load_hf_config(folder / "config.json");
  const auto index = folder / "model.safetensors.index.json";
  const auto single = folder / "model.safetensors";
  std::error_code ec;
  if (fs::exists(index, ec)) {
    load_sharded(index);
  } else if (fs::exists(single, ec)) {
    load_single(single);
  } else {
    throw FormatError(folder.string() +
                      ": no model.safetensors or model.safetensors.index.json in the folder");
  }
  const auto stats = options.convert_fp8 ? fp8::convert_weights(tensors_, files_, config_, options, converted_)
                                         : fp8::ConvertStats{};
  files_ = {};
  join_mxfp4_planes(tensors_, converted_);
  if (stats.weights) {
    spdlog::info("{}: {} FP8 weights converted to {} ({} MiB -> {} MiB) in {:.2f} s, {:.0f} MB/s of FP8",
                 folder.string(), stats.weights, dtype_name(options.fp8_type), stats.fp8_bytes >> 20,
                 stats.out_bytes >> 20, stats.seconds,
                 stats.seconds > 0 ? stats.fp8_bytes / 1e6 / stats.seconds : 0.0);
    if (stats.fallback_bf16)
      spdlog::warn("{}: {} FP8 weights stay BF16: rows not a whole number of {} blocks",
                   folder.string(), stats.fallback_bf16, dtype_name(options.fp8_type));
  }
  index_tensors();
}

void SafetensorsSource::load_single(const fs::path& file) {
  shards_.push_back(MappedFile::open(file));
  tensors_ = parse_safetensors(shards_.back());
  files_.assign(tensors_.size(), file.string());
}

void SafetensorsSource::load_sharded(const fs::path& index_file) {
  const std::string where = index_file.string() + ": ";
  const json index = json::parse(read_regular_file(index_file), nullptr, /*allow_exceptions=*/false);
  if (index.is_discarded() || !index.is_object()) throw FormatError(where + "not a JSON object");
  const auto map = index.find("weight_map");
  if (map == index.end() || !map->is_object())
    throw FormatError(where + "missing weight_map (tensor name -> shard file)");

  std::map<std::string, std::set<std::string>> by_shard;  // each shard is loaded once
  for (const auto& [tensor, shard] : map->items()) {
    // A shard is a file beside the index, never a path that leaves the folder.
    if (!shard.is_string() || shard.get_ref<const std::string&>().empty() ||
        shard.get_ref<const std::string&>().find('/') != std::string::npos ||
        shard == "." || shard == "..") {
      throw FormatError(where + "tensor '" + tensor + "' has shard " + shard.dump() +
                        ", expected a file name");
    }
    by_shard[shard.get<std::string>()].insert(tensor);
  }

  for (const auto& [shard, expected] : by_shard) {
    const auto file = folder_ / shard;
    std::error_code ec;
    if (fs::status(file, ec).type() == fs::file_type::not_found) {
      throw FormatError(where + "shard '" + shard + "' (holding tensor '" + *expected.begin() +
                        "') is missing");
    }
    shards_.push_back(MappedFile::open(file));
    auto views = parse_safetensors(shards_.back());
    std::set<std::string> found;
    for (const auto& v : views) found.insert(v.name);
    for (const auto& name : expected) {
      if (!found.count(name))
        throw FormatError(file.string() + ": tensor '" + name + "' listed in the index is missing");
    }
    for (auto& v : views) tensors_.push_back(std::move(v));
    files_.resize(tensors_.size(), file.string());
  }
}

const nlohmann::json* SafetensorsSource::meta(std::string_view key) const {
  const json* node = &config_;
  while (true) {
    const auto dot = key.find('.');
    const auto part = key.substr(0, dot);
    if (!node->is_object()) return nullptr;
    const auto it = node->find(part);
    if (it == node->end()) return nullptr;
    node = &*it;
    if (dot == std::string_view::npos) return node;
    key.remove_prefix(dot + 1);
  }
}

}  // namespace rbee
