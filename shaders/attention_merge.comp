#version 450
#extension GL_GOOGLE_include_directive : require
// The second pass of split-K attention (flash-decoding): the partials that attention.comp and
// attention_tiled.comp write with SPLITS > 1, one per split of a (token, head) row's keys, each
// its unnormalized output (dv values, padded to a multiple of 4) then its max (natural log
// units) and sum, are reduced to the row's output: o = sum_s e^(m_s - M) o_s / sum_s e^(m_s - M) l_s
// (plus e^(sink - M) in the denominator where the head has an attention sink).
// A split that saw no key has max -inf and sum 0. Workgroup (h, t) takes row (t, h); a lane
// per output element (lane, lane + lanes, ...).
#include "common.glsl"
layout(std430, binding = 0) readonly buffer Partials { float part[]; };
layout(std430, binding = 1) writeonly buffer Out { float outp[]; };
layout(std430, binding = 2) readonly buffer Sinks { float sinks[]; };
layout(push_constant) uniform Push {
  uint n_heads;
  uint dv;
  uint splits;
  uint has_sinks;  // 1: head h's sink logit joins the sum as a score of value zero (binding 2)
} pc;

void main() {
  uint h = gl_WorkGroupID.x, t = gl_WorkGroupID.y;
  uint row = t * pc.n_heads + h;
  uint stride = 4u * ((pc.dv + 3u) / 4u) + 4u;
  uint first = row * pc.splits * stride;
  float mx = -1.0 / 0.0;
  for (uint s = 0u; s < pc.splits; ++s) mx = max(mx, part[first + s * stride + stride - 4u]);
  if (pc.has_sinks != 0u) mx = max(mx, sinks[h]);
  float sum = pc.has_sinks != 0u ? exp(sinks[h] - mx) : 0.0;
  for (uint s = 0u; s < pc.splits; ++s) {
    float m = part[first + s * stride + stride - 4u];
    if (m != -1.0 / 0.0) sum += exp(m - mx) * part[first + s * stride + stride - 3u];
  }
  for (uint d = gl_LocalInvocationID.x; d < pc.dv; d += gl_WorkGroupSize.x) {
    float o = 0.0;
    for (uint s = 0u; s < pc.splits; ++s) {
      float m = part[first + s * stride + stride - 4u];
      if (m != -1.0 / 0.0) o += exp(m - mx) * part[first + s * stride + d];
    }
    outp[row * pc.dv + d] = o / sum;
  }
}
