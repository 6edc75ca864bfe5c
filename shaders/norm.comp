#version 450
#extension GL_GOOGLE_include_directive : require
// RMS norm or layer norm of every run of `cols` floats (a row, or one head of a row), one
// workgroup per run. The weight and bias are one run's, shared by all, or (weight_groups > 1)
// one per group of a row, stacked.
#include "common.glsl"
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer Wt { float weight[]; };
layout(std430, binding = 2) readonly buffer Bs { float bias[]; };
layout(std430, binding = 3) writeonly buffer Out { float outp[]; };
layout(push_constant) uniform Push {
  uint n_runs;
  uint cols;  // per run; weight and bias have this many
  float eps;
  float weight_offset;
  uint layer_norm;  // 0: RMS, 1: layer norm
  uint has_weight;
  uint has_bias;
  uint weight_groups;  // 1: one weight and bias for every run; else one per run of a row
} pc;

shared float partial[1024];

float workgroup_sum(float v) {
  partial[gl_LocalInvocationID.x] = v;
  barrier();
  for (uint s = gl_WorkGroupSize.x / 2u; s > 0u; s >>= 1) {
    if (gl_LocalInvocationID.x < s) partial[gl_LocalInvocationID.x] += partial[gl_LocalInvocationID.x + s];
    barrier();
  }
  float total = partial[0];
  barrier();
  return total;
}

void main() {
  uint run = gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x;
  if (run >= pc.n_runs) return;  // whole workgroup: no barrier is left waiting
  uint base = run * pc.cols;
  uint tid = gl_LocalInvocationID.x;
  float mean = 0.0;
  if (pc.layer_norm != 0u) {
    float s = 0.0;
    for (uint i = tid; i < pc.cols; i += gl_WorkGroupSize.x) s += x[base + i];
    mean = workgroup_sum(s) / float(pc.cols);
  }
  float sq = 0.0;
  for (uint i = tid; i < pc.cols; i += gl_WorkGroupSize.x) {
    float v = x[base + i] - mean;
    sq += v * v;
  }
  float inv = inversesqrt(workgroup_sum(sq) / float(pc.cols) + pc.eps);
  uint wbase = (run % pc.weight_groups) * pc.cols;
  for (uint i = tid; i < pc.cols; i += gl_WorkGroupSize.x) {
    float v = (x[base + i] - mean) * inv;
    if (pc.has_weight != 0u) v *= weight[wbase + i] + pc.weight_offset;
    if (pc.has_bias != 0u) v += bias[wbase + i];
    outp[base + i] = v;
  }
}
