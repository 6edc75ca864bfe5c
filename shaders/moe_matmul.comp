#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_KHR_shader_subgroup_arithmetic : require
// The experts' linears of moe_linear (matmul_subgroup.glsl): the weights are n_expert stacked
// matrices. Workgroups: x,y = row group; z:
// EXPERTS (decode): z = output row (token t, chosen slot j), whose expert comes from the routing.
// EXPERTS_BATCH: z = one of the tiles of 8 rows listed for an expert (the routing's tile list;
// past its count a workgroup ends at once), so each expert's weights are read once per batch.
// With identity (head_linear: no routing, head h of every token is expert h) z = (head, tile of
// 8 tokens), or for decode the output row.
#define PUSH_MEMBERS \
  uint n_used;      /* experts per token */ \
  uint x_per_slot;  /* 1: x has a row per output row, 0: per token */ \
  uint n_expert; \
  uint tiles;       /* EXPERTS_BATCH with identity: tiles of tokens per head */ \
  uint identity;    /* 1: no routing, head h of every token is expert h (head_linear) */ \
  uint expert_bias; /* 1: binding 2 holds [n_expert][n] biases, the row's expert's added */
#include "matmul_subgroup.glsl"

layout(std430, binding = 5) readonly buffer Routing { uint route[]; };  // RoutingLayout

float xin(uint i) { return xload(i); }
uint weight_row(uint r) { return r; }

// This workgroup's t-th token: its output row, and the row of x it reads.
#if defined(EXPERTS_BATCH)
uint g_out[TOKENS];  // read from the routing lists once, before the loop over the weights
uint out_row(uint t) { return g_out[t]; }
#else
uint out_row(uint t) { return gl_WorkGroupID.z; }
#endif
uint in_row(uint t) { return pc.x_per_slot != 0u ? out_row(t) : out_row(t) / pc.n_used; }

void main() {
  uint first = (gl_WorkGroupID.y * pc.groups_x + gl_WorkGroupID.x) * ROWS;
  if (first >= pc.n) return;  // uniform per workgroup
  uint rows = min(ROWS, pc.n - first);
  uint toks, expert;
#if defined(EXPERTS_BATCH)
  uint tile0, count;
  if (pc.identity != 0u) {
    expert = gl_WorkGroupID.z / pc.tiles;
    tile0 = gl_WorkGroupID.z % pc.tiles * TOKENS;
    count = pc.tokens;
  } else {
    uint tiles = pc.tokens * 2u * pc.n_used + pc.n_expert + pc.n_expert * pc.tokens;
    if (gl_WorkGroupID.z >= route[tiles]) return;
    uint tile = route[tiles + 1u + gl_WorkGroupID.z];
    expert = tile >> 16;
    tile0 = (tile & 0xffffu) * TOKENS;
    count = route[pc.tokens * 2u * pc.n_used + expert];
  }
  toks = min(TOKENS, count - tile0);
  uint list = pc.tokens * 2u * pc.n_used + pc.n_expert + expert * pc.tokens + tile0;
  [[unroll]] for (uint t = 0; t < TOKENS; ++t)
    g_out[t] = t >= toks ? 0u : pc.identity != 0u ? (tile0 + t) * pc.n_used + expert : route[list + t];
#else
  uint o = gl_WorkGroupID.z;
  toks = 1u;
  expert = pc.identity != 0u ? o % pc.n_used : uint(uintBitsToFloat(route[o / pc.n_used * 2u * pc.n_used + o % pc.n_used]));
#endif
  accumulate(first + expert * pc.n, ROWS, rows, toks);
  reduce(ROWS);
  // Lane i writes result i (row i / TOKENS, token i % TOKENS), looping when there are more
  // results than lanes.
  for (uint i = gl_LocalInvocationID.x; i < ROWS * TOKENS; i += gl_WorkGroupSize.x) {
    uint r = i / TOKENS, t = i % TOKENS;
    if (r >= rows || t >= toks) continue;
    float v = result(r, t);
    if (pc.expert_bias != 0u) v += bias[expert * pc.n + first + r];
    store(out_row(t), first + r, v);
  }
}
