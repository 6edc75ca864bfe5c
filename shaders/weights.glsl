// Read access to a weight tensor in its stored type. Define WEIGHT_BINDING and one of
// WTYPE_F32, WTYPE_F16, WTYPE_BF16 or a block-quantized WTYPE_* (see quant.glsl) before
// including; provides `float wload(uint i)`, element i of the tensor in row-major order, and for
// the quantized types also QK, BLOCK_BYTES, dequant() and dequant16() from quant.glsl.
#if defined(WTYPE_F32)
layout(std430, binding = WEIGHT_BINDING) readonly buffer Weights { float wdata[]; };
float wload(uint i) { return wdata[i]; }
#elif defined(WTYPE_F16)
layout(std430, binding = WEIGHT_BINDING) readonly buffer Weights { uint wdata[]; };
float wload(uint i) { return half_at(wdata[i >> 1], i); }
#elif defined(WTYPE_BF16)
layout(std430, binding = WEIGHT_BINDING) readonly buffer Weights { uint wdata[]; };
float wload(uint i) { return bf16_at(wdata[i >> 1], i); }
#elif defined(WTYPE_Q8_0) || defined(WTYPE_Q4_0) || defined(WTYPE_Q4_1) || defined(WTYPE_Q5_0) || defined(WTYPE_Q5_1) || defined(WTYPE_Q2_K) || defined(WTYPE_Q3_K) || defined(WTYPE_Q4_K) || defined(WTYPE_Q5_K) || defined(WTYPE_Q6_K) || defined(WTYPE_IQ4_NL) || defined(WTYPE_MXFP4)
layout(std430, binding = WEIGHT_BINDING) readonly buffer Weights { uint wdata[]; };
#include "quant.glsl"
float wload(uint i) { return dequant(i / QK, i % QK); }
#else
#error "define a WTYPE_* for the weight type"
#endif
