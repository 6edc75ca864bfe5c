#pragma once
// FP8 weights of safetensors checkpoints (DeepSeek-V3/R1, Kimi-K2): `X.weight` is float8 e4m3
// [out, in] and `X.weight_scale_inv` holds one scale per block of 128x128 weights
// [ceil(out/128), ceil(in/128)]; the real weight is e4m3(code) * scale_inv[row/128][col/128].
// rbee converts them on load into a type the kernels read (BF16 unless asked otherwise).
#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "formats/model_source.hpp"

namespace rbee::fp8 {

// The 256 values of OCP FP8 E4M3FN (sign, 4 exponent bits of bias 7, 3 mantissa bits;
// subnormals at exponent 0; no infinities; S.1111.111 is NaN; the largest value is 448).
const std::array<float, 256>& e4m3_table();
inline float e4m3_to_float(uint8_t code) { return e4m3_table()[code]; }

// One block-scaled FP8 weight: `codes` [rows][cols] and `scales` [ceil(rows/block_rows)]
// [ceil(cols/block_cols)] of scale_type (F32, F16 or BF16).
struct BlockScaled {
  const uint8_t* codes = nullptr;
  uint64_t rows = 0, cols = 0;
  const uint8_t* scales = nullptr;
  DType scale_type = DType::F32;
  uint64_t block_rows = 128, block_cols = 128;

  uint64_t scale_rows() const { return (rows + block_rows - 1) / block_rows; }
  uint64_t scale_cols() const { return (cols + block_cols - 1) / block_cols; }
  float scale(uint64_t block_row, uint64_t block_col) const;
};

// Bytes one row of `cols` elements takes in `type`, or 0 when cols is not a whole number of
// the type's blocks (or the type is unknown).
uint64_t row_bytes(DType type, uint64_t cols);

// Writes rows [row_begin, row_end) of w in `type` to dst (row_bytes(type, cols) per row, the
// first row at dst). F32: each value is the correctly rounded product code * scale; F16 and
// BF16: the correctly rounded product too (computed exactly in double, rounded to odd in
// float, then to nearest even); other types: the F32 values of a row, encoded by `encode`.
void convert_rows(const BlockScaled& w, uint64_t row_begin, uint64_t row_end, DType type,
                  const SourceOptions::Encoder& encode, uint8_t* dst);

// Every value of w as float (the F32 conversion); for tests and tools.
std::vector<float> dequantize(const BlockScaled& w);

// What convert_weights did.
struct ConvertStats {
  uint64_t weights = 0;       // FP8 tensors converted
  uint64_t fp8_bytes = 0;     // their bytes in the files (codes and scales)
  uint64_t out_bytes = 0;     // their bytes once converted
  uint64_t fallback_bf16 = 0; // weights left in BF16: rows not whole blocks of the type
  double seconds = 0;
};

// Converts every F8_E4M3 tensor of `tensors` with its `<name>_scale_inv` in one pass over the
// mapped bytes, in parallel, into buffers appended to `owned`, and removes the scale tensors.
// files[i] is the file tensors[i] came from (for messages). `config` is config.json: its
// quantization_config (quant_method "fp8") may set fmt ("e4m3") and weight_block_size.
// Throws FormatError naming the file, the tensor and what was expected.
ConvertStats convert_weights(std::vector<TensorView>& tensors, const std::vector<std::string>& files,
                             const nlohmann::json& config, const SourceOptions& options,
                             std::vector<std::unique_ptr<uint8_t[]>>& owned);

}  // namespace rbee::fp8
