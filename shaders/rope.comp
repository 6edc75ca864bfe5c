#version 450
#extension GL_GOOGLE_include_directive : require
// Rotary position embedding of x [tokens][heads * head_dim] at the positions of its tokens (step.glsl).
// freq[j] is the angle per position of rotation pair j (scaling already folded in by the host).
#include "common.glsl"
#define STEP_BINDING 2
#include "step.glsl"
layout(std430, binding = 0) readonly buffer X { float x[]; };
layout(std430, binding = 1) readonly buffer Freq { float freq[]; };
layout(std430, binding = 3) writeonly buffer Out { float outp[]; };
layout(std430, binding = 4) readonly buffer Factors { float factors[]; };
layout(push_constant) uniform Push {
  uint n_heads;
  uint head_dim;
  uint n_rot;  // rotated dims at the start of each head
  uint neox;   // 0: pairs (2j, 2j+1); 1: pairs (j, j + n_rot/2)
  uint has_factors;  // divide freq[j] by factors[j]
  float attn_factor; // multiplies cos and sin
} pc;

void main() {
  uint t = gl_WorkGroupID.y;
  uint half_dim = pc.head_dim / 2u;
  uint per_token = pc.n_heads * half_dim;
  for (uint idx = gl_GlobalInvocationID.x; idx < per_token; idx += gl_NumWorkGroups.x * gl_WorkGroupSize.x) {
    uint h = idx / half_dim;
    uint j = idx % half_dim;
    uint base = t * pc.n_heads * pc.head_dim + h * pc.head_dim;
    uint half_rot = pc.n_rot / 2u;
    if (j >= half_rot) {  // past the rotary part: copied through
      uint e = pc.n_rot + 2u * (j - half_rot);
      outp[base + e] = x[base + e];
      outp[base + e + 1u] = x[base + e + 1u];
      continue;
    }
    uint a = pc.neox != 0u ? j : 2u * j;
    uint b = pc.neox != 0u ? j + half_rot : 2u * j + 1u;
    float f = pc.has_factors != 0u ? freq[j] / factors[j] : freq[j];
    float theta = float(token_position(t)) * f;
    float c = cos(theta) * pc.attn_factor, s = sin(theta) * pc.attn_factor;
    float x0 = x[base + a], x1 = x[base + b];
    outp[base + a] = x0 * c - x1 * s;
    outp[base + b] = x0 * s + x1 * c;
  }
}
