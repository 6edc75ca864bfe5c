#version 450
#extension GL_GOOGLE_include_directive : require
// For batches: which rows of a moe_linear output each expert computes. One workgroup counts the
// (token, slot) rows per expert and lists them, so an expert's weights are read once per batch.
// The order within a list depends on the atomics; each row's value does not. Then the tiles of
// 8 listed rows, expert by expert, so moe_linear dispatches only tiles that hold rows.
#include "common.glsl"
layout(std430, binding = 0) buffer Routing { uint words[]; };  // RoutingLayout
layout(push_constant) uniform Push {
  uint n_tokens;
  uint n_expert;
  uint k;
} pc;

void main() {
  uint counts = pc.n_tokens * 2u * pc.k;
  uint lists = counts + pc.n_expert;
  uint tiles = lists + pc.n_expert * pc.n_tokens;  // count, then expert * 65536 + tile
  for (uint e = gl_LocalInvocationID.x; e < pc.n_expert; e += gl_WorkGroupSize.x) words[counts + e] = 0u;
  barrier();
  for (uint r = gl_LocalInvocationID.x; r < pc.n_tokens * pc.k; r += gl_WorkGroupSize.x) {
    uint t = r / pc.k, j = r % pc.k;
    uint e = uint(uintBitsToFloat(words[t * 2u * pc.k + j]));
    uint at = atomicAdd(words[counts + e], 1u);
    words[lists + e * pc.n_tokens + at] = r;
  }
  barrier();
  if (gl_LocalInvocationID.x == 0u) {
    uint n_tiles = 0u;
    for (uint e = 0u; e < pc.n_expert; ++e)
      for (uint tile = 0u; tile * 8u < words[counts + e]; ++tile) words[tiles + 1u + n_tiles++] = e * 65536u + tile;
    words[tiles] = n_tiles;
  }
}
