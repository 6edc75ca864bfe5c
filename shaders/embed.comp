#version 450
#extension GL_GOOGLE_include_directive : require
// out[t][d] = table[ids[t]][d]. A table larger than one binding runs as several dispatches, each
// bound to rows [first, first + count) of it and copying the tokens whose rows it holds.
#include "common.glsl"
#define WEIGHT_BINDING 0
#include "weights.glsl"
layout(std430, binding = 1) readonly buffer Ids { int ids[]; };
layout(std430, binding = 2) writeonly buffer Out { float outp[]; };
layout(push_constant) uniform Push { uint dim; uint n_rows; uint first; uint count; } pc;

void main() {
  uint t = gl_WorkGroupID.y;
  // Token ids are checked by the host; clamp anyway so a bad id can never read out of bounds.
  uint row = min(uint(ids[t]), pc.n_rows - 1u);
  if (row < pc.first || row - pc.first >= pc.count) return;  // another slice's row
  for (uint d = gl_GlobalInvocationID.x; d < pc.dim; d += gl_NumWorkGroups.x * gl_WorkGroupSize.x)
    outp[t * pc.dim + d] = wload((row - pc.first) * pc.dim + d);
}
