#pragma once
#include <cstdint>
#include <span>

#include "util/dtype.hpp"
#include "util/float_convert.hpp"  // f32_to_f16, f32_to_bf16

namespace rbee::quant {

// CPU reference encoders and decoders of GGML's block formats, bit-exact with ggml/gguf-py.
// Row lengths must be multiples of the type's block size (dtype_traits().block_elems).
// quantize() and dequantize() throw std::invalid_argument for an unsupported type or sizes
// that do not match.

// True for every type quantize() and dequantize() handle: F32, F16, BF16, Q8_0, Q4_0, Q4_1,
// Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_NL, MXFP4.
bool supported(DType type);

// Bytes that n elements of type occupy (n a multiple of the block size).
uint64_t bytes_for(DType type, uint64_t n);

// Encodes src (src.size() elements) into dst (bytes_for(type, src.size()) bytes).
void quantize(DType type, std::span<const float> src, std::span<uint8_t> dst);

// Decodes dst.size() elements of type from src.
void dequantize(DType type, std::span<const uint8_t> src, std::span<float> dst);

// quantize() split over threads (0: one per hardware thread); writes the same bytes.
void quantize_parallel(DType type, std::span<const float> src, std::span<uint8_t> dst,
                       unsigned threads = 0);

}  // namespace rbee::quant
