#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/dtype.hpp"
#include "util/format_error.hpp"

namespace rbee {

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

// How a source converts, on load, what the kernels cannot read as stored.
struct SourceOptions {
  // Encodes floats (a whole number of the type's blocks) into a GGUF block type; formats does
  // not link the quantizers, so the caller passes rbee::quant::quantize.
  using Encoder = std::function<void(DType, std::span<const float>, std::span<uint8_t>)>;

  // FP8 weights of safetensors checkpoints (F8_E4M3 with `<name>_scale_inv` block scales, as in
  // DeepSeek-V3) become this type: F32, F16, BF16, or a block type through `encode`. A weight
  // whose rows are not a whole number of the type's blocks stays BF16. Other tensors, and GGUF
  // files, are never converted.
  DType fp8_type = DType::BF16;
  // false: FP8 weights stay as stored, for readers of metadata (templates, tokenizers) that
  // never touch the weights and should not pay for converting them.
  bool convert_fp8 = true;
  Encoder encode;
  unsigned threads = 0;  // conversion threads; 0: one per hardware thread
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
  static std::unique_ptr<ModelSource> open(const std::filesystem::path& path,
                                           const SourceOptions& options = {});

 protected:
  // Subclasses call this once their tensors are final; throws FormatError on a duplicate name.
  void index_tensors();

 private:
  std::map<std::string, size_t, std::less<>> index_;  // tensor name -> position in tensors()
};

}  // namespace rbee
