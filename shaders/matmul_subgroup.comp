#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_KHR_shader_subgroup_arithmetic : require
// out[t][o] = sum_k x[t][k] * W[o][k] (+ bias[o]) on devices with subgroup arithmetic, fused
// with dequantization. A workgroup computes ROWS outputs for up to TOKENS tokens (a compile-time
// variant: 1 for the decode mat-vec, 8 for batches): its lanes stride
// over 16-element chunks of the rows, decode each chunk once (one read of the block's scales)
// and use it for every token, then reduce with subgroup adds (plus shared memory when the
// workgroup holds several subgroups; no barrier when it is one subgroup). Decode (TOKENS 1)
// makes one pass over the weights. Workgroups: x,y = row group, z = token group.
// Experts (moe_linear): the weights are n_expert stacked matrices. EXPERTS: z = output row
// (token t, chosen slot j), whose expert comes from the routing (decode). EXPERTS_BATCH: z = one
// of the tiles of 8 rows listed for an expert (the routing's tile list; past its count a
// workgroup ends at once), so each expert's weights are read once per batch. With identity
// (head_linear) z = (head, tile of 8 tokens).
// GATE_UP: out = act(x G^T) * (x U^T), a gated unit with its two linears: the weights hold G's
// n rows then U's, and a workgroup reads ROWS rows of each for its ROWS outputs.
#include "common.glsl"
#define WEIGHT_BINDING 1
#include "weights.glsl"
#include "wload16.glsl"
// TEXEL_INPUTS: x (and up, and the norm weight) are R32_SFLOAT texel buffers, like the weights
// (weights.glsl).
#if defined(TEXEL_INPUTS)
layout(binding = 0) uniform textureBuffer xtexels;
float xload(uint i) { return texelFetch(xtexels, int(i)).x; }
#else
layout(std430, binding = 0) readonly buffer X { float x[]; };
float xload(uint i) { return x[i]; }
#endif
layout(std430, binding = 2) readonly buffer Bs { float bias[]; };
layout(std430, binding = 3) writeonly buffer Out { float outp[]; };
layout(push_constant) uniform Push {
  uint k;
  uint n;
  uint tokens;
  uint has_bias;
  uint groups_x;
  uint act;  // GATED_INPUT: the activation code of the unit
  uint has_residual;  // add residual[row][o] as results are written (a fused residual add)
  float norm_eps;     // NORM_INPUT: the RMS norm's epsilon and weight offset
  float norm_offset;
  uint ldo;  // floats between rows of out and residual: n, or more where the rows are sliced
#if defined(EXPERTS) || defined(EXPERTS_BATCH)
  uint n_used;      // experts per token
  uint x_per_slot;  // 1: x has a row per output row, 0: per token
  uint n_expert;
  uint tiles;       // EXPERTS_BATCH with identity: tiles of tokens per head
  uint identity;    // 1: no routing, head h of every token is expert h (head_linear)
#endif
} pc;

#if defined(EXPERTS) || defined(EXPERTS_BATCH)
layout(std430, binding = 5) readonly buffer Routing { uint route[]; };  // RoutingLayout
#endif

layout(std430, binding = 6) readonly buffer Residual { float residual[]; };

// Input element i. With GATED_INPUT the input is a gated unit computed on the fly,
// act(gate) * up, with gate in x and up in binding 4 (the unit's own dispatch is skipped).
#if defined(GATED_INPUT)
#include "activation.glsl"
#if defined(TEXEL_INPUTS)
layout(binding = 4) uniform textureBuffer uptexels;
float upload(uint i) { return texelFetch(uptexels, int(i)).x; }
#else
layout(std430, binding = 4) readonly buffer Up { float up[]; };
float upload(uint i) { return up[i]; }
#endif
float xin(uint i) { return activate(pc.act, xload(i)) * upload(i); }
#else
float xin(uint i) { return xload(i); }
#endif
layout(constant_id = 1) const uint ROWS = 4;

// Weight rows a workgroup reads (WROWS) and where its r-th starts relative to the first.
#if defined(GATE_UP)
#include "activation.glsl"
const uint WROWS = 2u * ROWS;  // at most MAX_ROWS
uint weight_row(uint r) { return r < ROWS ? r : pc.n + r - ROWS; }
#else
const uint WROWS = ROWS;
uint weight_row(uint r) { return r; }
#endif

// NORM_INPUT (1: without weight, 2: with weight in binding 7): the input is RMS-normed on the
// fly, norm(x)[i] = x[i] * g[i] / rms(x): the kernel multiplies x by g as it loads it, sums the
// squares of x beside the products and scales each result by 1 / rms at the end (a fused norm).
// A specialization constant, so kernels without it carry none of its code.
layout(constant_id = 2) const uint NORM_INPUT = 0;
#if defined(TEXEL_INPUTS)
layout(binding = 7) uniform textureBuffer normtexels;
float norm_weight(uint i) { return texelFetch(normtexels, int(i)).x + pc.norm_offset; }
#else
layout(std430, binding = 7) readonly buffer NormWeight { float norm_w[]; };
float norm_weight(uint i) { return norm_w[i] + pc.norm_offset; }
#endif
#ifndef TOKENS
#define TOKENS 1u
#endif

#define MAX_ROWS 8
#define MAX_TOKENS TOKENS
#define MAX_SUBGROUPS 32
shared float partial[MAX_SUBGROUPS][MAX_ROWS * MAX_TOKENS + MAX_TOKENS];

// This workgroup's tokens: output row of its t-th token and the row of x it reads.
#if defined(EXPERTS_BATCH)
uint g_expert, g_tile0;
uint g_out[TOKENS];  // read from the routing lists once, before the loop over the weights
uint out_row(uint t) { return g_out[t]; }
#elif defined(EXPERTS)
uint out_row(uint t) { return gl_WorkGroupID.z; }
#else
uint out_row(uint t) { return gl_WorkGroupID.z * TOKENS + t; }
#endif
#if defined(EXPERTS) || defined(EXPERTS_BATCH)
uint in_row(uint t) { return pc.x_per_slot != 0u ? out_row(t) : out_row(t) / pc.n_used; }
#else
uint in_row(uint t) { return out_row(t); }
#endif

void main() {
  uint first = (gl_WorkGroupID.y * pc.groups_x + gl_WorkGroupID.x) * ROWS;
  if (first >= pc.n) return;  // uniform per workgroup
  uint rows = min(ROWS, pc.n - first);
  uint toks, wrow = first;  // tokens of this workgroup, first weight row
#if defined(EXPERTS_BATCH)
  uint count;
  if (pc.identity != 0u) {
    g_expert = gl_WorkGroupID.z / pc.tiles;
    g_tile0 = gl_WorkGroupID.z % pc.tiles * TOKENS;
    count = pc.tokens;
  } else {
    uint tiles = pc.tokens * 2u * pc.n_used + pc.n_expert + pc.n_expert * pc.tokens;
    if (gl_WorkGroupID.z >= route[tiles]) return;
    uint tile = route[tiles + 1u + gl_WorkGroupID.z];
    g_expert = tile >> 16;
    g_tile0 = (tile & 0xffffu) * TOKENS;
    count = route[pc.tokens * 2u * pc.n_used + g_expert];
  }
  toks = min(TOKENS, count - g_tile0);
  uint list = pc.tokens * 2u * pc.n_used + pc.n_expert + g_expert * pc.tokens + g_tile0;
  [[unroll]] for (uint t = 0; t < TOKENS; ++t)
    g_out[t] = t >= toks ? 0u : pc.identity != 0u ? (g_tile0 + t) * pc.n_used + g_expert : route[list + t];
  wrow += g_expert * pc.n;
#elif defined(EXPERTS)
  uint o = gl_WorkGroupID.z;
  toks = 1u;
  uint e = pc.identity != 0u ? o % pc.n_used : uint(uintBitsToFloat(route[o / pc.n_used * 2u * pc.n_used + o % pc.n_used]));
  wrow += e * pc.n;
#else
  toks = min(TOKENS, pc.tokens - gl_WorkGroupID.z * TOKENS);
#endif
  uint lane = gl_LocalInvocationID.x;
  uint width = gl_WorkGroupSize.x;

  float acc[MAX_ROWS * MAX_TOKENS];
  [[unroll]] for (uint i = 0; i < MAX_ROWS * MAX_TOKENS; ++i) acc[i] = 0.0;
  float squares[MAX_TOKENS];  // NORM_INPUT: sum of x^2 per token
  [[unroll]] for (uint t = 0; t < MAX_TOKENS; ++t) squares[t] = 0.0;

  uint chunks = pc.k / 16u;
  for (uint c = lane; c < chunks; c += width) {
    // Decode the chunk of every row once, then read each token's 16 inputs once.
    float w[MAX_ROWS][16];
    [[unroll]] for (uint r = 0; r < MAX_ROWS; ++r)
      if (r < WROWS && r % ROWS < rows) wload16((wrow + weight_row(r)) * pc.k + c * 16u, w[r]);
    float g[16];
    if (NORM_INPUT == 2u) [[unroll]] for (uint j = 0; j < 16u; ++j) g[j] = norm_weight(c * 16u + j);
    [[unroll]] for (uint t = 0; t < MAX_TOKENS; ++t) {
      if (t >= toks) break;
      float xv[16];
      [[unroll]] for (uint j = 0; j < 16u; ++j) xv[j] = xin(in_row(t) * pc.k + c * 16u + j);
      if (NORM_INPUT != 0u)
        [[unroll]] for (uint j = 0; j < 16u; ++j) squares[t] += xv[j] * xv[j];
      if (NORM_INPUT == 2u) [[unroll]] for (uint j = 0; j < 16u; ++j) xv[j] *= g[j];
      [[unroll]] for (uint r = 0; r < MAX_ROWS; ++r) {
        if (r >= WROWS) break;
        float s = 0.0;
        [[unroll]] for (uint j = 0; j < 16u; ++j) s += w[r][j] * xv[j];
        acc[r * MAX_TOKENS + t] += s;
      }
    }
  }
  // Columns past the last whole chunk (only float types have rows that are not multiples of 16).
  for (uint i = chunks * 16u + lane; i < pc.k; i += width)
    [[unroll]] for (uint t = 0; t < MAX_TOKENS; ++t) {
      if (t >= toks) break;
      float v = xin(in_row(t) * pc.k + i);
      if (NORM_INPUT != 0u) squares[t] += v * v;
      if (NORM_INPUT == 2u) v *= norm_weight(i);
      [[unroll]] for (uint r = 0; r < MAX_ROWS; ++r)
        if (r < WROWS && r % ROWS < rows) acc[r * MAX_TOKENS + t] += wload((wrow + weight_row(r)) * pc.k + i) * v;
    }

  [[unroll]] for (uint i = 0; i < MAX_ROWS * MAX_TOKENS; ++i)
    if (i / MAX_TOKENS < WROWS && i % MAX_TOKENS < TOKENS) acc[i] = subgroupAdd(acc[i]);
  if (NORM_INPUT != 0u)
    [[unroll]] for (uint t = 0; t < MAX_TOKENS; ++t) squares[t] = subgroupAdd(squares[t]);
  if (gl_NumSubgroups > 1u) {
    if (subgroupElect()) {
      [[unroll]] for (uint i = 0; i < MAX_ROWS * MAX_TOKENS; ++i) partial[gl_SubgroupID][i] = acc[i];
      if (NORM_INPUT != 0u)
        [[unroll]] for (uint t = 0; t < MAX_TOKENS; ++t) partial[gl_SubgroupID][MAX_ROWS * MAX_TOKENS + t] = squares[t];
    }
    barrier();
    [[unroll]] for (uint i = 0; i < MAX_ROWS * MAX_TOKENS; ++i) {
      acc[i] = 0.0;
      for (uint s = 0; s < gl_NumSubgroups; ++s) acc[i] += partial[s][i];
    }
    if (NORM_INPUT != 0u)
      [[unroll]] for (uint t = 0; t < MAX_TOKENS; ++t) {
        squares[t] = 0.0;
        for (uint s = 0; s < gl_NumSubgroups; ++s) squares[t] += partial[s][MAX_ROWS * MAX_TOKENS + t];
      }
  }
  if (NORM_INPUT != 0u)
    [[unroll]] for (uint i = 0; i < MAX_ROWS * MAX_TOKENS; ++i)
      acc[i] *= inversesqrt(squares[i % MAX_TOKENS] / float(pc.k) + pc.norm_eps);
  // Lane i writes result i (row i / TOKENS, token i % TOKENS), looping when there are more
  // results than lanes.
  for (uint i = lane; i < ROWS * TOKENS; i += width) {
    uint r = i / TOKENS, t = i % TOKENS;
    if (r >= rows || t >= toks) continue;
    float v = 0.0;
    [[unroll]] for (uint j = 0; j < MAX_ROWS * MAX_TOKENS; ++j)
      if (j == r * MAX_TOKENS + t) v = acc[j];
#if defined(GATE_UP)
    float up = 0.0;
    [[unroll]] for (uint j = 0; j < MAX_ROWS * MAX_TOKENS; ++j)
      if (j == (r + ROWS) * MAX_TOKENS + t) up = acc[j];
    v = activate(pc.act, v) * up;
#endif
    if (pc.has_bias != 0u) v += bias[first + r];
    if (pc.has_residual != 0u) v += residual[out_row(t) * pc.ldo + first + r];
    outp[out_row(t) * pc.ldo + first + r] = v;
  }
}
