// Activation functions of the elementwise ops, also applied by kernels that fuse them.
// Op codes shared with core/graph/graph.hpp (ElementwiseOp).
const uint OP_ADD = 0u, OP_MUL = 1u, OP_SCALE = 2u, OP_SOFTCAP = 3u, OP_CLAMPED_SWIGLU = 4u;
const uint OP_SILU = 10u, OP_GELU = 11u, OP_GELU_TANH = 12u, OP_RELU = 13u, OP_SIGMOID = 14u;
const uint OP_GATED = 20u;  // OP_GATED + (activation - OP_SILU): act(a) * b

// erf with |error| < 1.5e-7 (Abramowitz & Stegun 7.1.26); GLSL has none.
float erf_as(float v) {
  float s = sign(v);
  v = abs(v);
  float t = 1.0 / (1.0 + 0.3275911 * v);
  float y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * exp(-v * v);
  return s * y;
}

float activate(uint act, float v) {
  if (act == OP_SILU) return v / (1.0 + exp(-v));
  if (act == OP_GELU) return 0.5 * v * (1.0 + erf_as(v * 0.70710678118654752));
  if (act == OP_GELU_TANH) return 0.5 * v * (1.0 + tanh(0.7978845608028654 * (v + 0.044715 * v * v * v)));
  if (act == OP_SIGMOID) return 1.0 / (1.0 + exp(-v));
  return max(v, 0.0);
}


// gpt-oss's gated unit: gate clamped from above, up to [-limit, limit], (up + 1) * gate * sigmoid(alpha * gate).
float clamped_swiglu(float gate, float up, float alpha, float limit) {
  float g = min(gate, limit), u = clamp(up, -limit, limit);
  return (u + 1.0) * g / (1.0 + exp(-alpha * g));
}
