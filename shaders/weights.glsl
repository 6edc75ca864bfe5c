// Read access to a weight tensor in its stored type. Define WEIGHT_BINDING and one of
// WTYPE_F32, WTYPE_F16, WTYPE_BF16 or a block-quantized WTYPE_* (see quant.glsl) before
// including, and TEXEL_INPUTS where the tensor is bound as an R32_UINT texel buffer rather than a
// storage buffer (WEIGHT_WINDOW: an R32G32B32A32_UINT one, see quant.glsl). Provides
// `uint wword(uint i)`, 32-bit word i of the tensor, `float wload(uint i)`, element i of the
// tensor in row-major order, and for the quantized types also QK, BLOCK_BYTES, dequant() and
// dequant16() from quant.glsl.
#if defined(WEIGHT_WINDOW)
// An R32G32B32A32_UINT view, read a block at a time (load_window of matmul_rows.comp).
layout(binding = WEIGHT_BINDING) uniform utextureBuffer wquads;
uint wword(uint i) { return texelFetch(wquads, int(i >> 2))[i & 3u]; }
#elif defined(TEXEL_INPUTS)
layout(binding = WEIGHT_BINDING) uniform utextureBuffer wtexels;  // an R32_UINT view
uint wword(uint i) { return texelFetch(wtexels, int(i)).x; }
#else
layout(std430, binding = WEIGHT_BINDING) readonly buffer Weights { uint wdata[]; };
uint wword(uint i) { return wdata[i]; }
#endif
#if defined(WTYPE_F32)
float wload(uint i) { return uintBitsToFloat(wword(i)); }
#elif defined(WTYPE_F16)
float wload(uint i) { return half_at(wword(i >> 1), i); }
#elif defined(WTYPE_BF16)
float wload(uint i) { return bf16_at(wword(i >> 1), i); }
#elif defined(WTYPE_Q8_0) || defined(WTYPE_Q4_0) || defined(WTYPE_Q4_1) || defined(WTYPE_Q5_0) || defined(WTYPE_Q5_1) || defined(WTYPE_Q2_K) || defined(WTYPE_Q3_K) || defined(WTYPE_Q4_K) || defined(WTYPE_Q5_K) || defined(WTYPE_Q6_K) || defined(WTYPE_IQ4_NL) || defined(WTYPE_MXFP4)
#include "quant.glsl"
float wload(uint i) { return dequant(i / QK, i % QK); }
#else
#error "define a WTYPE_* for the weight type"
#endif
