#version 450
#extension GL_GOOGLE_include_directive : require
// out[t][o] = sum_k x[t][k] * W[o][k] (+ bias[o]), for W in its stored type.
// One workgroup computes one output feature o for up to TOKENS_PER_GROUP tokens, so each weight
// row is read once per group of tokens. Workgroups: x,y = o (split for the 65535 limit), z = token group.
#include "common.glsl"
#define WEIGHT_BINDING 1
#include "weights.glsl"
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 2) readonly buffer Bs { float bias[]; };
layout(std430, binding = 3) writeonly buffer Out { float outp[]; };
layout(push_constant) uniform Push {
  uint k;         // input features
  uint n;         // output features
  uint rows;      // tokens
  uint has_bias;
  uint groups_x;  // workgroups along x, to rebuild o from (x, y)
  uint ldo;       // floats between rows of out: n, or more where the rows are sliced
} pc;

#define TOKENS_PER_GROUP 8
shared float partial[TOKENS_PER_GROUP][256];

void main() {
  uint o = gl_WorkGroupID.y * pc.groups_x + gl_WorkGroupID.x;
  if (o >= pc.n) return;  // uniform per workgroup, so barriers below stay valid
  uint t0 = gl_WorkGroupID.z * TOKENS_PER_GROUP;
  uint nt = min(TOKENS_PER_GROUP, pc.rows - t0);
  uint tid = gl_LocalInvocationID.x;

  float acc[TOKENS_PER_GROUP];
  [[unroll]] for (uint j = 0; j < TOKENS_PER_GROUP; ++j) acc[j] = 0.0;
  uint wrow = o * pc.k;
  for (uint i = tid; i < pc.k; i += gl_WorkGroupSize.x) {
    float w = wload(wrow + i);
    [[unroll]] for (uint j = 0; j < TOKENS_PER_GROUP; ++j)
      if (j < nt) acc[j] += w * x[(t0 + j) * pc.k + i];
  }
  [[unroll]] for (uint j = 0; j < TOKENS_PER_GROUP; ++j) partial[j][tid] = acc[j];
  barrier();
  for (uint s = gl_WorkGroupSize.x / 2u; s > 0u; s >>= 1) {
    if (tid < s)
      [[unroll]] for (uint j = 0; j < TOKENS_PER_GROUP; ++j) partial[j][tid] += partial[j][tid + s];
    barrier();
  }
  if (tid < nt) {
    float v = partial[tid][0];
    if (pc.has_bias != 0u) v += bias[o];
    outp[(t0 + tid) * pc.ldo + o] = v;
  }
}
