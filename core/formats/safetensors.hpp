#pragma once
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "formats/model_source.hpp"
#include "util/mapped_file.hpp"

namespace rbee {

// The tensors of one .safetensors file; the views point into `file`, which must outlive them.
// Checks the header length, every dtype, shape and data range; throws FormatError.
// F8_E4M3 and U8 tensors come back as they are stored (SafetensorsSource converts FP8 weights and
// joins MXFP4 planes).
std::vector<TensorView> parse_safetensors(const MappedFile& file);

// A Hugging Face model folder: config.json plus model.safetensors or a sharded set listed in
// model.safetensors.index.json.
class SafetensorsSource : public ModelSource {
 public:
  // FP8 weights are converted as options say (see SourceOptions and formats/fp8.hpp); MXFP4
  // weights stored as planes become MXFP4 tensors (formats/mxfp4_planes.hpp).
  explicit SafetensorsSource(const std::filesystem::path& folder, const SourceOptions& options = {});

  Format format() const override { return Format::Safetensors; }
  const std::filesystem::path& path() const override { return folder_; }
  // config.json value; "a.b" reaches key "b" of object "a". RoPE keys are normalized
  // (see normalize_rope), so both spellings work.
  const nlohmann::json* meta(std::string_view key) const override;
  const nlohmann::json& config() const { return config_; }
  const std::vector<TensorView>& tensors() const override { return tensors_; }

 private:
  void load_single(const std::filesystem::path& file);
  void load_sharded(const std::filesystem::path& index_file);

  std::filesystem::path folder_;
  nlohmann::json config_;
  std::vector<MappedFile> shards_;
  std::vector<TensorView> tensors_;
  std::vector<std::string> files_;  // the file of each tensor, while loading
  std::vector<std::unique_ptr<uint8_t[]>> converted_;  // data of converted FP8 and joined MXFP4 weights
};

}  // namespace rbee
