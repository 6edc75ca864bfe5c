// Shared by matmul_subgroup.comp (linears) and moe_matmul.comp (experts' and heads' linears):
// out[t][o] = sum_k x[t][k] * W[o][k] (+ bias[o]) on devices with subgroup arithmetic, fused
// with dequantization. A workgroup computes ROWS outputs for up to TOKENS tokens (a compile-time
// variant: 1 for the decode mat-vec, 8 for batches): its lanes stride over 16-element chunks of
// the rows, decode each chunk once (one read of the block's scales) and use it for every token,
// then reduce with subgroup adds (plus shared memory when the workgroup holds several subgroups;
// no barrier when it is one subgroup). Decode (TOKENS 1) makes one pass over the weights.
//
// The including kernel defines PUSH_MEMBERS (its push constants past the shared ones) before
// including this, and after it the hooks below (xin, in_row, weight_row) and main, which calls
// accumulate, reduce and store.
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
// SubgroupMatmulPush / MoeMatmulPush (core/graph/dispatch.hpp).
layout(push_constant) uniform Push {
  uint k;
  uint n;
  uint tokens;
  uint has_bias;
  uint groups_x;
  uint act;  // GATED_INPUT, GATE_UP: the activation code of the unit
  uint has_residual;  // add residual[row][o] as results are written (a fused residual add)
  float norm_eps;     // NORM_INPUT: the RMS norm's epsilon and weight offset
  float norm_offset;
  uint ldo;  // floats between rows of out and residual: n, or more where the rows are sliced
  PUSH_MEMBERS
} pc;

layout(std430, binding = 6) readonly buffer Residual { float residual[]; };

layout(constant_id = 1) const uint ROWS = 4;

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

// The including kernel's hooks: input element i, the row of x its t-th token reads, and where
// the r-th weight row a workgroup reads starts relative to its first.
float xin(uint i);
uint in_row(uint t);
uint weight_row(uint r);

// A lane's sums, row r and token t at r * MAX_TOKENS + t, indexed by constants only (unrolled
// loops) so that they stay in registers; with NORM_INPUT, each token's sum of x^2.
float acc[MAX_ROWS * MAX_TOKENS];
float squares[MAX_TOKENS];

// The lane's share of the products of wrows weight rows, from row wrow on (their first rows of
// each ROWS counted), with toks tokens.
void accumulate(uint wrow, uint wrows, uint rows, uint toks) {
  uint lane = gl_LocalInvocationID.x;
  uint width = gl_WorkGroupSize.x;
  [[unroll]] for (uint i = 0; i < MAX_ROWS * MAX_TOKENS; ++i) acc[i] = 0.0;
  [[unroll]] for (uint t = 0; t < MAX_TOKENS; ++t) squares[t] = 0.0;

  uint chunks = pc.k / 16u;
  for (uint c = lane; c < chunks; c += width) {
    // Decode the chunk of every row once, then read each token's 16 inputs once.
    float w[MAX_ROWS][16];
    [[unroll]] for (uint r = 0; r < MAX_ROWS; ++r)
      if (r < wrows && r % ROWS < rows) wload16((wrow + weight_row(r)) * pc.k + c * 16u, w[r]);
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
        if (r >= wrows) break;
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
        if (r < wrows && r % ROWS < rows) acc[r * MAX_TOKENS + t] += wload((wrow + weight_row(r)) * pc.k + i) * v;
    }
}

// Sums acc over the workgroup (every lane ends with the totals) and applies a folded norm.
void reduce(uint wrows) {
  [[unroll]] for (uint i = 0; i < MAX_ROWS * MAX_TOKENS; ++i)
    if (i / MAX_TOKENS < wrows && i % MAX_TOKENS < TOKENS) acc[i] = subgroupAdd(acc[i]);
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
}

// The total of weight row r (of those read) for token t: a loop, for the constant indices.
float result(uint r, uint t) {
  float v = 0.0;
  [[unroll]] for (uint j = 0; j < MAX_ROWS * MAX_TOKENS; ++j)
    if (j == r * MAX_TOKENS + t) v = acc[j];
  return v;
}

// Writes out[row][col] = v (+ bias, + residual).
void store(uint row, uint col, float v) {
  if (pc.has_bias != 0u) v += bias[col];
  if (pc.has_residual != 0u) v += residual[row * pc.ldo + col];
  outp[row * pc.ldo + col] = v;
}
