#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "rbee/family/names.h"
#include "util/dtype.hpp"

namespace rbee::synth {

// What --type takes: llama.cpp's file types (LLAMA_FTYPE_*), named as llama-quantize does.
enum class FileType { F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K_M, Q4_K_M, Q5_K_M, Q6_K, IQ4_NL, MXFP4 };

struct FileTypeInfo {
  FileType type;
  std::string_view name;  // "q4_k_m"
  uint32_t llama_ftype;   // general.file_type
  DType default_type;     // the type most 2-D weights get
};

std::span<const FileTypeInfo> file_types();
const FileTypeInfo& info(FileType type);
std::optional<FileType> parse_file_type(std::string_view name);  // case-insensitive

// The model facts llama-quantize's choice depends on.
struct MixContext {
  uint32_t n_layer = 0;
  uint32_t n_gqa = 1;  // attention heads per KV head
  uint32_t n_expert = 0;
  bool tied_embeddings = false;  // no output.weight
};

// The type llama-quantize (llama.cpp src/llama-quant.cpp, llama_tensor_get_type) gives a
// tensor of this id (the SDK's tensor ids), layer and GGML shape when quantizing to `type`; 1-D tensors stay F32.
// `layer` is the block index (-1 outside blocks); llama.cpp counts attn_v/ffn_down in file
// order, which is the block order here (for MoE models it parses the block from the name).
DType tensor_type(FileType type, rbee_tensor_id role, int layer, std::span<const uint64_t> ne, const MixContext& ctx);

}  // namespace rbee::synth
