#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_KHR_shader_subgroup_arithmetic : require
// Decode-step mat-vec: out[o] = sum_k x[k] * W[o][k] (+ bias[o]) for one token, reading each
// weight once, fused with dequantization. A workgroup computes ROWS outputs; its lanes stride
// over 16-element chunks of the rows and reduce with subgroup adds (plus shared memory when the
// workgroup holds several subgroups). No barrier when the workgroup is one subgroup.
#include "common.glsl"
#define WEIGHT_BINDING 1
#include "weights.glsl"
#include "wload16.glsl"
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 2) readonly buffer Bs { float bias[]; };
layout(std430, binding = 3) writeonly buffer Out { float outp[]; };
layout(push_constant) uniform Push {
  uint k;
  uint n;
  uint has_bias;
  uint groups_x;
} pc;
layout(constant_id = 1) const uint ROWS = 4;

#define MAX_ROWS 8
#define MAX_SUBGROUPS 32
shared float partial[MAX_SUBGROUPS][MAX_ROWS];

void main() {
  uint first = (gl_WorkGroupID.y * pc.groups_x + gl_WorkGroupID.x) * ROWS;
  if (first >= pc.n) return;  // uniform per workgroup
  uint lane = gl_LocalInvocationID.x;
  uint width = gl_WorkGroupSize.x;

  float acc[MAX_ROWS];
  [[unroll]] for (uint r = 0; r < MAX_ROWS; ++r) acc[r] = 0.0;

  uint chunks = pc.k / 16u;
  for (uint c = lane; c < chunks; c += width) {
    float xv[16];
    [[unroll]] for (uint j = 0; j < 16u; ++j) xv[j] = x[c * 16u + j];
    [[unroll]] for (uint r = 0; r < MAX_ROWS; ++r) {
      if (r >= ROWS || first + r >= pc.n) break;
      float w[16];
      wload16((first + r) * pc.k + c * 16u, w);
      float s = 0.0;
      [[unroll]] for (uint j = 0; j < 16u; ++j) s += w[j] * xv[j];
      acc[r] += s;
    }
  }
  // Columns past the last whole chunk (only float types have rows that are not multiples of 16).
  for (uint i = chunks * 16u + lane; i < pc.k; i += width)
    [[unroll]] for (uint r = 0; r < MAX_ROWS; ++r)
      if (r < ROWS && first + r < pc.n) acc[r] += wload((first + r) * pc.k + i) * x[i];

  [[unroll]] for (uint r = 0; r < MAX_ROWS; ++r) acc[r] = subgroupAdd(acc[r]);
  if (gl_NumSubgroups > 1u) {
    if (subgroupElect())
      [[unroll]] for (uint r = 0; r < MAX_ROWS; ++r) partial[gl_SubgroupID][r] = acc[r];
    barrier();
    [[unroll]] for (uint r = 0; r < MAX_ROWS; ++r) {
      acc[r] = 0.0;
      for (uint s = 0; s < gl_NumSubgroups; ++s) acc[r] += partial[s][r];
    }
  }
  if (lane < ROWS && first + lane < pc.n) {
    float v = 0.0;
    [[unroll]] for (uint r = 0; r < MAX_ROWS; ++r) if (r == lane) v = acc[r];
    if (pc.has_bias != 0u) v += bias[first + lane];
    outp[first + lane] = v;
  }
}
