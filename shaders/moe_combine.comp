#version 450
#extension GL_GOOGLE_include_directive : require
// out[t][c] = sum_j weight[t][j] * h[t * k + j][c]: each token's chosen experts' outputs, weighted.
#include "common.glsl"
layout(std430, binding = 0) readonly buffer H { float h[]; };
layout(std430, binding = 1) readonly buffer Routing { float routing[]; };
layout(std430, binding = 2) writeonly buffer Out { float outp[]; };
layout(push_constant) uniform Push {
  uint n_tokens;
  uint cols;
  uint k;
} pc;

void main() {
  uint n = pc.n_tokens * pc.cols;
  for (uint i = gl_GlobalInvocationID.x; i < n; i += gl_NumWorkGroups.x * gl_WorkGroupSize.x) {
    uint t = i / pc.cols, c = i % pc.cols;
    float s = 0.0;
    for (uint j = 0; j < pc.k; ++j) s += routing[t * 2u * pc.k + pc.k + j] * h[(t * pc.k + j) * pc.cols + c];
    outp[i] = s;
  }
}
