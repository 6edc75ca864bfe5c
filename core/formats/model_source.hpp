#pragma once
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "formats/dtype.hpp"

namespace rbee {

// Thrown for any malformed or unsupported model file. The message names the file, the field
// and what was expected.
class FormatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One tensor as stored in the file: the bytes stay in the memory-mapped file.
struct TensorView {
  std::string name;
  DType dtype = DType::F32;
  // Row-major shape, outermost dimension first (the safetensors/PyTorch order). GGUF's `ne`
  // order is reversed on read, so a linear weight is [out_features, in_features] in both.
  std::vector<uint64_t> shape;
  const uint8_t* data = nullptr;
  uint64_t nbytes = 0;

  uint64_t elements() const {
    uint64_t n = 1;
    for (uint64_t d : shape) n *= d;
    return n;
  }
};

// A model's metadata and tensors, whatever the file format.
class ModelSource {
 public:
  enum class Format { Gguf, Safetensors };

  virtual ~ModelSource() = default;

  virtual Format format() const = 0;
  // The path the user gave: a .gguf file or a Hugging Face folder.
  virtual const std::filesystem::path& path() const = 0;

  // Metadata value by key, or nullptr. GGUF: the metadata key as stored
  // ("llama.block_count"). Safetensors: config.json, nested objects reached with '.'
  // ("rope_scaling.factor").
  virtual const nlohmann::json* meta(std::string_view key) const = 0;

  virtual const std::vector<TensorView>& tensors() const = 0;
  const TensorView* tensor(std::string_view name) const;

  // GGUF file or folder with config.json and *.safetensors (single or sharded).
  // Throws FormatError.
  static std::unique_ptr<ModelSource> open(const std::filesystem::path& path);

 protected:
  // Subclasses call this once their tensors are final; throws FormatError on a duplicate name.
  void index_tensors();

 private:
  std::map<std::string, size_t, std::less<>> index_;  // tensor name -> position in tensors()
};

}  // namespace rbee
