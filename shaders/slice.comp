#version 450
#extension GL_GOOGLE_include_directive : require
// Each row of x [rows][in_cols] as `groups` runs: columns [begin, begin + count) of every run
// -> out [rows][groups * count].
#include "common.glsl"
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Out { float outp[]; };
layout(push_constant) uniform Push {
  uint rows;
  uint in_cols;
  uint begin;
  uint count;
  uint groups;
} pc;

void main() {
  uint width = pc.groups * pc.count, run = pc.in_cols / pc.groups;
  uint n = pc.rows * width;
  for (uint i = gl_GlobalInvocationID.x; i < n; i += gl_NumWorkGroups.x * gl_WorkGroupSize.x) {
    uint r = i / width, c = i % width;
    outp[i] = x[r * pc.in_cols + c / pc.count * run + pc.begin + c % pc.count];
  }
}
