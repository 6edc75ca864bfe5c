#version 450
#extension GL_GOOGLE_include_directive : require
// Elementwise ops over n floats: unary activations, add/mul with row broadcast, scale, softcap,
// gated units act(a) * b and gpt-oss's clamped SwiGLU of gate a and up b.
#include "common.glsl"
layout(std430, binding = 0) readonly buffer A { float a[]; };
layout(std430, binding = 1) readonly buffer B { float b[]; };
layout(std430, binding = 2) writeonly buffer Out { float outp[]; };
layout(push_constant) uniform Push {
  uint n;
  uint op;
  uint b_len;  // elements of b: n, or one row broadcast over a's rows
  float factor;
  uint b_div;  // > 0: b is one column, element i / b_div (a's columns)
  float factor2;  // OP_CLAMPED_SWIGLU: limit (factor: alpha)
} pc;

#include "activation.glsl"

void main() {
  for (uint i = gl_GlobalInvocationID.x; i < pc.n; i += gl_NumWorkGroups.x * gl_WorkGroupSize.x) {
    float va = a[i];
    float r;
    uint bi = pc.b_div != 0u ? i / pc.b_div : i % pc.b_len;
    if (pc.op == OP_ADD) r = va + b[bi];
    else if (pc.op == OP_MUL) r = va * b[bi];
    else if (pc.op == OP_SCALE) r = va * pc.factor;
    else if (pc.op == OP_SOFTCAP) r = pc.factor * tanh(va / pc.factor);
    else if (pc.op == OP_CLAMPED_SWIGLU) r = clamped_swiglu(va, b[i], pc.factor, pc.factor2);
    else if (pc.op >= OP_GATED) r = activate(pc.op - OP_GATED + OP_SILU, va) * b[i];
    else r = activate(pc.op, va);
    outp[i] = r;
  }
}
