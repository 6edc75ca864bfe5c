#version 450
#extension GL_GOOGLE_include_directive : require
// The rows of x [tokens][cols] that this step outputs (step.glsl's output rows: the last
// token of each sequence that wants logits) -> out [outputs][cols].
#include "common.glsl"
#define STEP_BINDING 2
#include "step.glsl"
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) writeonly buffer Out { float outp[]; };
layout(push_constant) uniform Push {
  uint cols;
} pc;

void main() {
  uint i = gl_WorkGroupID.y;
  uint from = output_row(i) * pc.cols, to = i * pc.cols;
  for (uint c = gl_GlobalInvocationID.x; c < pc.cols; c += gl_NumWorkGroups.x * gl_WorkGroupSize.x)
    outp[to + c] = x[from + c];
}
