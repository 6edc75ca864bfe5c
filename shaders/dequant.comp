#version 450
#extension GL_GOOGLE_include_directive : require
// out[i] = W[i] as float32, for i < n, with W in its stored type.
// mode 0: one element per step through wload(). mode 1 (block-quantized types only, n a
// multiple of 16): 16 elements per step through dequant16(), the path fused kernels take.
// Grid-stride loops, so any number of workgroups covers any n.
#include "common.glsl"
#define WEIGHT_BINDING 0
#include "weights.glsl"
layout(std430, binding = 1) writeonly buffer Out { float outp[]; };
layout(push_constant) uniform Push { uint n; uint mode; } pc;

void main() {
  uint stride = gl_NumWorkGroups.x * gl_WorkGroupSize.x;
#ifdef QK
  if (pc.mode == 1u) {
    for (uint g = gl_GlobalInvocationID.x; g < pc.n / 16u; g += stride) {
      uint i0 = g * 16u;
      float v[16];
      dequant16(i0 / QK, i0 % QK, v);
      [[unroll]] for (uint k = 0u; k < 16u; ++k) outp[i0 + k] = v[k];
    }
    return;
  }
#endif
  for (uint i = gl_GlobalInvocationID.x; i < pc.n; i += stride) outp[i] = wload(i);
}
