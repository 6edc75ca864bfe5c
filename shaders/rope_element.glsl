// One element of a head after rotary embedding, for kernels that fold the rope op in (the
// parameters and table of shaders/rope.comp). Before including: ROPE_X(i), the unrotated input
// element i; push constants pc.n_rot, pc.neox, pc.has_factors, pc.attn_factor; FREQ_BINDING.
layout(std430, binding = FREQ_BINDING) readonly buffer Freq { float freq[]; };
layout(std430, binding = FREQ_BINDING + 1) readonly buffer Factors { float factors[]; };

// Element d of the head starting at input element base, at position pos.
float roped(uint base, uint d, uint pos) {
  if (d >= pc.n_rot) return ROPE_X(base + d);
  uint half_rot = pc.n_rot / 2u;
  uint j = pc.neox != 0u ? d % half_rot : d / 2u;
  uint a = pc.neox != 0u ? j : 2u * j;
  uint b = pc.neox != 0u ? j + half_rot : 2u * j + 1u;
  float f = pc.has_factors != 0u ? freq[j] / factors[j] : freq[j];
  float theta = float(pos) * f;
  float c = cos(theta) * pc.attn_factor, s = sin(theta) * pc.attn_factor;
  float x0 = ROPE_X(base + a), x1 = ROPE_X(base + b);
  return d == a ? x0 * c - x1 * s : x0 * s + x1 * c;
}
