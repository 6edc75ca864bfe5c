#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_KHR_shader_subgroup_arithmetic : require
// A linear on devices with subgroup arithmetic (matmul_subgroup.glsl), its input and its
// activation optionally folded in. Workgroups: x,y = row group, z = token group.
// GATE_UP: out = act(x G^T) * (x U^T), a gated unit with its two linears: the weights hold G's
// n rows then U's, and a workgroup reads ROWS rows of each for its ROWS outputs.
#define PUSH_MEMBERS  // none past the shared ones
#include "matmul_subgroup.glsl"

// Input element i. With GATED_INPUT the input is a gated unit computed on the fly,
// act(gate) * up, with gate in x and up in binding 4 (the unit's own dispatch is skipped).
#if defined(GATED_INPUT)
#include "activation.glsl"
#if defined(TEXEL_INPUTS)
layout(binding = 4) uniform textureBuffer uptexels;
float upload(uint i) { return texelFetch(uptexels, int(i)).x; }
#else
layout(std430, binding = 4) readonly buffer Up { float up[]; };
float upload(uint i) { return up[i]; }
#endif
float xin(uint i) { return activate(pc.act, xload(i)) * upload(i); }
#else
float xin(uint i) { return xload(i); }
#endif

// Weight rows a workgroup reads (WROWS) and where its r-th starts relative to the first.
#if defined(GATE_UP)
#include "activation.glsl"
const uint WROWS = 2u * ROWS;  // at most MAX_ROWS
uint weight_row(uint r) { return r < ROWS ? r : pc.n + r - ROWS; }
#else
const uint WROWS = ROWS;
uint weight_row(uint r) { return r; }
#endif

// This workgroup's t-th token: its output row, and the row of x it reads.
uint out_row(uint t) { return gl_WorkGroupID.z * TOKENS + t; }
uint in_row(uint t) { return out_row(t); }

void main() {
  uint first = (gl_WorkGroupID.y * pc.groups_x + gl_WorkGroupID.x) * ROWS;
  if (first >= pc.n) return;  // uniform per workgroup
  uint rows = min(ROWS, pc.n - first);
  uint toks = min(TOKENS, pc.tokens - gl_WorkGroupID.z * TOKENS);
  accumulate(first, WROWS, rows, toks);
  reduce(WROWS);
  // Lane i writes result i (row i / TOKENS, token i % TOKENS), looping when there are more
  // results than lanes.
  for (uint i = gl_LocalInvocationID.x; i < ROWS * TOKENS; i += gl_WorkGroupSize.x) {
    uint r = i / TOKENS, t = i % TOKENS;
    if (r >= rows || t >= toks) continue;
    float v = result(r, t);
#if defined(GATE_UP)
    v = activate(pc.act, v) * result(r + ROWS, t);
#endif
    store(out_row(t), first + r, v);
  }
}
