// Read access to a weight tensor in its stored type. Define WEIGHT_BINDING and one of
// WTYPE_F32, WTYPE_F16, WTYPE_BF16 before including; provides `float wload(uint i)`, element i
// of the tensor in row-major order.
#if defined(WTYPE_F32)
layout(std430, binding = WEIGHT_BINDING) readonly buffer Weights { float wdata[]; };
float wload(uint i) { return wdata[i]; }
#elif defined(WTYPE_F16)
layout(std430, binding = WEIGHT_BINDING) readonly buffer Weights { uint wdata[]; };
float wload(uint i) { return half_at(wdata[i >> 1], i); }
#elif defined(WTYPE_BF16)
layout(std430, binding = WEIGHT_BINDING) readonly buffer Weights { uint wdata[]; };
float wload(uint i) { return bf16_at(wdata[i >> 1], i); }
#else
#error "define a WTYPE_* for the weight type"
#endif
