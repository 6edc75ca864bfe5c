#pragma once
// MXFP4 weights as Hugging Face checkpoints store them (gpt-oss): `X_blocks` uint8
// [..., n_blocks, 16], two FP4 E2M1 codes a byte (element 2i in the low nibble of byte i,
// 2i + 1 in the high one), and `X_scales` uint8 [..., n_blocks], one E8M0 exponent per block of
// 32 (OCP Microscaling Formats v1.0: value = E2M1(code) * 2^(scale - 127)). rbee keeps them as
// its MXFP4 type, GGML's block {u8 e; u8 qs[16]} whose byte j holds elements j (low) and j + 16
// (high): the same codes and exponents, regrouped on load, never decoded.
#include <cstdint>
#include <memory>
#include <vector>

#include "formats/model_source.hpp"

namespace rbee {

// Replaces every pair X_blocks, X_scales of `tensors` by one MXFP4 tensor X of shape
// [..., n_blocks * 32], its data in `owned`. Throws FormatError naming the tensor when a pair
// is incomplete or its shapes do not match.
void join_mxfp4_planes(std::vector<TensorView>& tensors, std::vector<std::unique_ptr<uint8_t[]>>& owned);

// One block: 16 bytes of Hugging Face's packed codes and its exponent -> GGML's 17-byte block.
void mxfp4_block_from_planes(const uint8_t* codes, uint8_t scale, uint8_t* block);

}  // namespace rbee
