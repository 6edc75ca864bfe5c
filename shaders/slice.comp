#version 450
#extension GL_GOOGLE_include_directive : require
// Columns [begin, begin + count) of x [rows][in_cols] -> out [rows][count].
#include "common.glsl"
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Out { float outp[]; };
layout(push_constant) uniform Push {
  uint rows;
  uint in_cols;
  uint begin;
  uint count;
} pc;

void main() {
  uint n = pc.rows * pc.count;
  for (uint i = gl_GlobalInvocationID.x; i < n; i += gl_NumWorkGroups.x * gl_WorkGroupSize.x) {
    uint r = i / pc.count;
    outp[i] = x[r * pc.in_cols + pc.begin + i % pc.count];
  }
}
