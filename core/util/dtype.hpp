#pragma once
#include <cstdint>
#include <optional>
#include <string_view>

namespace rbee {

// Element types of weights and activations. Values equal GGML's type ids so that a GGUF
// tensor type maps 1:1; types that have no GGML id sit above 1000.
enum class DType : uint32_t {
  F32 = 0,
  F16 = 1,
  Q4_0 = 2,
  Q4_1 = 3,
  Q5_0 = 6,
  Q5_1 = 7,
  Q8_0 = 8,
  Q8_1 = 9,
  Q2_K = 10,
  Q3_K = 11,
  Q4_K = 12,
  Q5_K = 13,
  Q6_K = 14,
  Q8_K = 15,
  IQ4_NL = 20,
  I8 = 24,
  I16 = 25,
  I32 = 26,
  I64 = 27,
  F64 = 28,
  BF16 = 30,
  MXFP4 = 39,
  // Safetensors float8 e4m3 (OCP E4M3FN). Only parse_safetensors yields it: SafetensorsSource
  // converts such weights on load (formats/fp8.hpp), so plugins and kernels never see it.
  // dtype_traits() does not know it (a GGUF file cannot hold it).
  F8_E4M3 = 1001,
  // Safetensors uint8: only parse_safetensors yields it, for the planes of MXFP4 weights
  // (`X_blocks`, `X_scales`), which SafetensorsSource joins into MXFP4 tensors on load
  // (formats/mxfp4_planes.hpp). dtype_traits() does not know it.
  U8 = 1002,
};

struct DTypeTraits {
  std::string_view name;
  uint32_t block_elems;  // elements per block (1 for plain types)
  uint32_t block_bytes;  // bytes per block
};

// Traits of a GGML type id, or nullopt when rbee does not know it.
std::optional<DTypeTraits> dtype_traits(uint32_t ggml_type);
std::string_view dtype_name(DType t);

}  // namespace rbee
