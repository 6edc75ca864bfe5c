#version 450
#extension GL_GOOGLE_include_directive : require
// Rows of a [rows][a_cols] and b [rows][b_cols] as `groups` runs each, interleaved:
// out row = a run 0, b run 0, a run 1, b run 1, ...
#include "common.glsl"
layout(std430, binding = 0) readonly buffer A { float a[]; };
layout(std430, binding = 1) readonly buffer B { float b[]; };
layout(std430, binding = 2) writeonly buffer Out { float outp[]; };
layout(push_constant) uniform Push {
  uint rows;
  uint a_cols;
  uint b_cols;
  uint groups;
} pc;

void main() {
  uint ra = pc.a_cols / pc.groups, rb = pc.b_cols / pc.groups, run = ra + rb, width = pc.a_cols + pc.b_cols;
  uint n = pc.rows * width;
  for (uint i = gl_GlobalInvocationID.x; i < n; i += gl_NumWorkGroups.x * gl_WorkGroupSize.x) {
    uint r = i / width, c = i % width, g = c / run, j = c % run;
    outp[i] = j < ra ? a[r * pc.a_cols + g * ra + j] : b[r * pc.b_cols + g * rb + j - ra];
  }
}
