#version 450
#extension GL_GOOGLE_include_directive : require
// Stores this step's keys and values at the cache rows of their sequences' positions
// (kv_cache.glsl's cache_row: a page of the block table, or a sliding-window ring). KEY_ROPE: the keys arrive unrotated and are rotated here (the rope
// op folded into the store; same parameters and table as shaders/rope.comp).
#include "common.glsl"
#define TABLE_BINDING 7
#include "kv_cache.glsl"
#define STEP_BINDING 4
#include "step.glsl"
layout(std430, binding = 0) readonly buffer K { float k[]; };
layout(std430, binding = 1) readonly buffer V { float v[]; };
layout(std430, binding = 2) writeonly buffer KC { KV_WORD kcache[]; };
layout(std430, binding = 3) writeonly buffer VC { KV_WORD vcache[]; };
layout(push_constant) uniform Push {
  uint k_dim;  // dims even
  uint v_dim;
  uint ring;          // > 0: rows of a sliding-window ring per slot; 0: paged
  uint table_stride;  // block numbers per slot in the block table
#if defined(KEY_ROPE)
  uint n_heads;
  uint head_dim;
  uint n_rot;
  uint neox;
  uint has_factors;
  float attn_factor;
#endif
} pc;

#if defined(KEY_ROPE)
#define ROPE_X(i) k[i]
#define FREQ_BINDING 5
#include "rope_element.glsl"
float key(uint t, uint e) { return roped(t * pc.k_dim + e - e % pc.head_dim, e % pc.head_dim, token_position(t)); }
#else
float key(uint t, uint e) { return k[t * pc.k_dim + e]; }
#endif

void store(uint dim, uint t, uint pair, bool is_k) {
  uint src = t * dim + 2u * pair;
  uint row = cache_row(token_slot(t), token_position(t), pc.ring, pc.table_stride);
  float a = is_k ? key(t, 2u * pair) : v[src];
  float b = is_k ? key(t, 2u * pair + 1u) : v[src + 1u];
#if defined(KV_F16)
  uint dst = (row * dim) / 2u + pair;
  if (is_k) kcache[dst] = packHalf2x16(vec2(a, b)); else vcache[dst] = packHalf2x16(vec2(a, b));
#else
  uint dst = row * dim + 2u * pair;
  if (is_k) { kcache[dst] = a; kcache[dst + 1u] = b; } else { vcache[dst] = a; vcache[dst + 1u] = b; }
#endif
}

void main() {
  uint t = gl_WorkGroupID.y;
  uint kp = pc.k_dim / 2u, vp = pc.v_dim / 2u;
  for (uint i = gl_GlobalInvocationID.x; i < kp + vp; i += gl_NumWorkGroups.x * gl_WorkGroupSize.x) {
    if (i < kp) store(pc.k_dim, t, i, true);
    else store(pc.v_dim, t, i - kp, false);
  }
}
