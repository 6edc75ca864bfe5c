#pragma once
#include <cstdint>
#include <filesystem>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "formats/model_source.hpp"
#include "util/mapped_file.hpp"

namespace rbee {

// A GGUF v2/v3 file (little-endian), memory-mapped. Every count, length and offset in the file
// is checked against the file's size before use; malformed input throws FormatError.
class GgufSource : public ModelSource {
 public:
  explicit GgufSource(const std::filesystem::path& path);

  Format format() const override { return Format::Gguf; }
  const std::filesystem::path& path() const override { return path_; }
  // Metadata as a flat object: key -> value. Strings hold the file's raw bytes.
  const nlohmann::json* meta(std::string_view key) const override;
  const nlohmann::json& metadata() const { return meta_; }
  const std::vector<TensorView>& tensors() const override { return tensors_; }

  uint32_t version() const { return version_; }
  uint32_t alignment() const { return alignment_; }
  // File offset where the tensor data section starts.
  uint64_t data_offset() const { return data_offset_; }
  const MappedFile& file() const { return file_; }
  // The tensor's GGML type id (DType values are GGML ids).
  static uint32_t ggml_type(const TensorView& t) { return static_cast<uint32_t>(t.dtype); }

 private:
  std::filesystem::path path_;
  MappedFile file_;
  uint32_t version_ = 0;
  uint32_t alignment_ = 32;
  uint64_t data_offset_ = 0;
  nlohmann::json meta_ = nlohmann::json::object();
  std::vector<TensorView> tensors_;
};

}  // namespace rbee
