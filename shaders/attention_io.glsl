// What both attention kernels (attention.comp, attention_tiled.comp) read and write: the
// queries (rotated as they load where the rope op is folded in), the layer's KV cache (storage
// buffers, or 4-element texels with TEXEL_KV: the variant of CPU implementations, whose storage
// loads go lane by lane), the heads' attention sinks, the output, and the push constants
// (dispatch::AttentionPush, AttentionRopePush).
#include "common.glsl"
#define TABLE_BINDING 7
#include "kv_cache.glsl"
#define STEP_BINDING 3
#include "step.glsl"
layout(std430, binding = 0) readonly buffer Q { float q[]; };
#if defined(TEXEL_KV)
layout(binding = 1) uniform textureBuffer ktexels;  // R16G16B16A16_SFLOAT or R32G32B32A32_SFLOAT
layout(binding = 2) uniform textureBuffer vtexels;
vec4 key4(uint i) { return texelFetch(ktexels, int(i >> 2)); }    // elements i..i+3, i % 4 == 0
vec4 value4(uint i) { return texelFetch(vtexels, int(i >> 2)); }
#else
layout(std430, binding = 1) readonly buffer KC { KV_WORD kcache[]; };
layout(std430, binding = 2) readonly buffer VC { KV_WORD vcache[]; };
#endif
#if defined(OUT_VEC4)  // output rows whose sizes are multiples of 4, written a group of 4 at a time
layout(std430, binding = 4) writeonly buffer Out { vec4 out4v[]; };
#else
layout(std430, binding = 4) writeonly buffer Out { float outp[]; };
#endif
layout(push_constant) uniform Push {
  uint n_heads;
  uint n_kv_heads;
  uint dk;
  uint dv;
  float scale;
  float softcap;  // > 0: score = softcap * tanh(score / softcap)
  uint window;    // > 0: positions older than the last `window` are not seen
  uint ring;      // > 0: rows of a sliding-window ring per slot; 0: paged (kv_cache.glsl)
  uint v_stride;  // floats per cache row of vcache
  uint v_head;    // offset of KV head h's values: h * v_head (values in the keys: head_dim_k)
  uint table_stride;  // block numbers per slot in the block table
  uint has_sinks;     // 1: binding 8 holds a sink logit per query head
#if defined(QUERY_ROPE)   // the queries arrive unrotated: the rope op folded in
  uint rope_heads;
  uint rope_head_dim;
  uint n_rot;
  uint neox;
  uint has_factors;
  float attn_factor;
#endif
} pc;

#if defined(QUERY_ROPE)
#define ROPE_X(i) q[i]
#define FREQ_BINDING 5
#include "rope_element.glsl"
float query(uint t, uint h, uint d) { return roped((t * pc.n_heads + h) * pc.dk, d, token_position(t)); }
#else
float query(uint t, uint h, uint d) { return q[(t * pc.n_heads + h) * pc.dk + d]; }
#endif

// The cache row of position p of token t's sequence.
uint kv_row(uint t, uint p) { return cache_row(token_slot(t), p, pc.ring, pc.table_stride); }

layout(std430, binding = 8) readonly buffer Sinks { float sinks[]; };

// What head h's accumulated output is multiplied by, given its max score m (natural log units)
// and its sum l of e^(score - m): 1 / l, or, with sinks, the softmax's normalization with the
// head's sink as one more score whose value is zero (gpt-oss).
float normalizer(uint h, float m, float l) {
  if (pc.has_sinks == 0u) return 1.0 / l;
  float s = sinks[h];
  float mx = max(m, s);
  float keep = exp(m - mx);  // 0 when no key was seen (m = -inf)
  return keep / (l * keep + exp(s - mx));
}
