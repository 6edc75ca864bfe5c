#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_KHR_shader_subgroup_shuffle : require
// out[t][o] = sum_k x[t][k] * W[o][k] (+ bias[o]) (+ residual[t][o]) for block-quantized W: the
// linear kernel of CPU implementations (KernelConfig::row_kernels). Such a device runs a
// subgroup as SIMD lanes of one thread and pays per fetch instruction, so this kernel fetches
// little and wide: one lane per output row loads each of its blocks whole (load_window: a few
// 16-byte texels) and decodes it from registers; the lanes, which all need the same inputs,
// fetch a 32-float tile of x together, a vec4 each, and pass it around with shuffles. A
// workgroup is one subgroup: LANES * ROWS rows (ROWS per lane, specialization constant 2:
// KernelConfig::row_kernel_rows), TOKENS tokens (1: decode, 4: a few sequences decoding together,
// 16: batches); x,y = row group,
// z = token group. Each shuffled input feeds ROWS rows (GATE_UP: twice that), and each decoded
// weight TOKENS tokens: on lavapipe (Mesa 22.3, which splits every FMA into a multiply and an
// add) the shuffles, x fetches and workgroup launches otherwise cost as much as the arithmetic
// (SmolLM2-135M Q8_0, 16 sequences: decode 62-70 tokens/s with 1 row and 8 tokens, ~100 with
// 4 rows and 16 tokens). Bindings as matmul_subgroup.comp (0 x as an R32G32B32A32_SFLOAT texel
// buffer, 1 W, 2 bias, 3 out, 6 residual), and its push constants, of which this reads k, n,
// tokens, has_bias, groups_x, act and has_residual. GATE_UP: the gated unit of an MLP,
// out = act(x W^T) * (x U^T) with U in binding 4: each lane decodes its row of both and the two
// share every input tile (one dispatch for the gate, up and activation ops).
// EXPERTS, EXPERTS_BATCH (moe_linear, as moe_matmul.comp's): the weights are n_expert stacked
// matrices. EXPERTS (decode): workgroup z is an output row (token, chosen slot) whose expert comes
// from the routing (binding 5), or with identity (head_linear) is the slot. EXPERTS_BATCH: z is
// one of the tiles of TOKENS output rows the routing lists for an expert. Push constants as
// moe_matmul's.
#include "common.glsl"
#define WEIGHT_BINDING 1
#define WEIGHT_WINDOW
#include "weights.glsl"
layout(binding = 0) uniform textureBuffer x4;
#if defined(GATE_UP)
#include "activation.glsl"
layout(binding = 4) uniform utextureBuffer up_quads;
#endif
layout(std430, binding = 2) readonly buffer Bs { float bias[]; };
layout(std430, binding = 3) writeonly buffer Out { float outp[]; };
layout(std430, binding = 6) readonly buffer Residual { float residual[]; };
layout(push_constant) uniform Push {
  uint k;
  uint n;
  uint tokens;
  uint has_bias;
  uint groups_x;
  uint act;
  uint has_residual;
#if defined(EXPERTS) || defined(EXPERTS_BATCH)
  float norm_eps;  // unused: moe_matmul's layout
  float norm_offset;
  uint ldo;
  uint n_used;
  uint x_per_slot;
  uint n_expert;
  uint tiles;
  uint identity;
  uint expert_bias;
#endif
} pc;
#if defined(EXPERTS) || defined(EXPERTS_BATCH)
layout(std430, binding = 5) readonly buffer Routing { uint route[]; };  // RoutingLayout
#endif

#ifndef TOKENS
#define TOKENS 1u
#endif
layout(constant_id = 1) const uint LANES = 8;  // the workgroup size, which is the subgroup size
layout(constant_id = 2) const uint ROWS = 1;   // output rows per lane, at most MAX_ROWS

// The block starting at byte b0 of the tensor into blk[] (quant.glsl): the texels that hold it,
// then each word shifted into place (a block starts at any multiple of BLOCK_ALIGN).
const uint WINDOW_QUADS = (16u - BLOCK_ALIGN + BLOCK_BYTES + 15u) / 16u;
const uint LAST_RAW = WINDOW_QUADS * 4u - 1u;
void load_window(utextureBuffer quads, uint b0) {
  uint raw[WINDOW_QUADS * 4u];
  [[unroll]] for (uint i = 0u; i < WINDOW_QUADS; ++i) {
    uvec4 q = texelFetch(quads, int((b0 >> 4) + i));
    raw[4u * i] = q.x;
    raw[4u * i + 1u] = q.y;
    raw[4u * i + 2u] = q.z;
    raw[4u * i + 3u] = q.w;
  }
  // Indices past the window only ever feed bytes past the block.
  uint o = (b0 >> 2) & 3u, s = (b0 & 3u) * 8u;
  uint aligned[BLOCK_WORDS + 1u];
  [[unroll]] for (uint i = 0u; i <= BLOCK_WORDS; ++i) {
    uint a0 = raw[min(i, LAST_RAW)], a1 = raw[min(i + 1u, LAST_RAW)];
    uint a2 = raw[min(i + 2u, LAST_RAW)], a3 = raw[min(i + 3u, LAST_RAW)];
    aligned[i] = BLOCK_ALIGN >= 16u ? a0 : o == 0u ? a0 : o == 1u ? a1 : o == 2u ? a2 : a3;
  }
  [[unroll]] for (uint i = 0u; i < BLOCK_WORDS; ++i)
    blk[i] = BLOCK_ALIGN >= 4u ? aligned[i] : funnel(aligned[i], aligned[i + 1u], s);
}

// Elements 32u..32u+31 of block b (in blk).
void decode32(uint b, uint u, out float w[32]) {
  float half_w[16];
  dequant16(b, 32u * u, half_w);
  [[unroll]] for (uint j = 0u; j < 16u; ++j) w[j] = half_w[j];
  dequant16(b, 32u * u + 16u, half_w);
  [[unroll]] for (uint j = 0u; j < 16u; ++j) w[16u + j] = half_w[j];
}

// A tile of 32 inputs is 8 vec4s: lane l holds vec4s l, l + LANES, ... (SLOTS of them).
const uint SLOTS = LANES >= 8u ? 1u : 8u / LANES;
const uint MAX_ROWS = 4u;

void main() {
  uint lane = gl_LocalInvocationID.x;
  // The group's rows: ROWS runs of LANES, lane l holding row l of each run.
  uint row0 = (gl_WorkGroupID.y * pc.groups_x + gl_WorkGroupID.x) * LANES * ROWS;
  if (row0 >= pc.n) return;  // uniform per workgroup
  // Per token of the group: the row of x it reads and the row of out it writes. Tokens past the
  // last reread the last one (every lane runs every step anyway) and write nothing.
  uint x_row[TOKENS], out_row[TOKENS], toks, first_w_row = 0u;
#if defined(EXPERTS) || defined(EXPERTS_BATCH)
  uint expert;
#endif
#if defined(EXPERTS)
  out_row[0] = gl_WorkGroupID.z;  // (token, chosen slot)
  uint o = out_row[0];
  expert = pc.identity != 0u ? o % pc.n_used : uint(uintBitsToFloat(route[o / pc.n_used * 2u * pc.n_used + o % pc.n_used]));
  toks = 1u;
#elif defined(EXPERTS_BATCH)
  // A tile of up to TOKENS output rows listed for one expert (moe_matmul.comp).
  uint tile0, count;
  if (pc.identity != 0u) {
    expert = gl_WorkGroupID.z / pc.tiles;
    tile0 = gl_WorkGroupID.z % pc.tiles * TOKENS;
    count = pc.tokens;
  } else {
    uint tiles = pc.tokens * 2u * pc.n_used + pc.n_expert + pc.n_expert * pc.tokens;
    if (gl_WorkGroupID.z >= route[tiles]) return;  // uniform per workgroup
    uint tile = route[tiles + 1u + gl_WorkGroupID.z];
    expert = tile >> 16;
    tile0 = (tile & 0xffffu) * TOKENS;
    count = route[pc.tokens * 2u * pc.n_used + expert];
  }
  toks = min(TOKENS, count - tile0);
  uint list = pc.tokens * 2u * pc.n_used + pc.n_expert + expert * pc.tokens + tile0;
  [[unroll]] for (uint t = 0u; t < TOKENS; ++t) {
    uint i = min(t, toks - 1u);
    out_row[t] = pc.identity != 0u ? (tile0 + i) * pc.n_used + expert : route[list + i];
  }
#else
  uint tok0 = gl_WorkGroupID.z * TOKENS;
  toks = min(TOKENS, pc.tokens - tok0);
  [[unroll]] for (uint t = 0u; t < TOKENS; ++t) out_row[t] = min(tok0 + t, pc.tokens - 1u);
#endif
#if defined(EXPERTS) || defined(EXPERTS_BATCH)
  first_w_row = expert * pc.n;
  [[unroll]] for (uint t = 0u; t < TOKENS; ++t) x_row[t] = pc.x_per_slot != 0u ? out_row[t] : out_row[t] / pc.n_used;
  const uint out_stride = pc.ldo;
#else
  [[unroll]] for (uint t = 0u; t < TOKENS; ++t) x_row[t] = out_row[t];
  const uint out_stride = pc.n;
#endif
  uint blocks = pc.k / QK;
  // Rows past the last decode a real one and write nothing.
  uint row_byte[MAX_ROWS];
  [[unroll]] for (uint r = 0u; r < ROWS; ++r)
    row_byte[r] = (first_w_row + min(row0 + r * LANES + lane, pc.n - 1u)) * blocks * BLOCK_BYTES;

  float acc[TOKENS * MAX_ROWS];
  [[unroll]] for (uint i = 0u; i < TOKENS * ROWS; ++i) acc[i] = 0.0;
#if defined(GATE_UP)
  float acc_up[TOKENS * MAX_ROWS];
  [[unroll]] for (uint i = 0u; i < TOKENS * ROWS; ++i) acc_up[i] = 0.0;
#endif
  for (uint b = 0u; b < blocks; ++b) {
    uint rblk[MAX_ROWS][BLOCK_WORDS];
#if defined(GATE_UP)
    uint rblk_up[MAX_ROWS][BLOCK_WORDS];
#endif
    [[unroll]] for (uint r = 0u; r < ROWS; ++r) {
#if defined(GATE_UP)
      load_window(up_quads, row_byte[r] + b * BLOCK_BYTES);
      rblk_up[r] = blk;
#endif
      load_window(wquads, row_byte[r] + b * BLOCK_BYTES);
      rblk[r] = blk;
    }
    [[unroll]] for (uint u = 0u; u < QK / 32u; ++u) {
      float w[MAX_ROWS][32];
#if defined(GATE_UP)
      float w_up[MAX_ROWS][32];
#endif
      [[unroll]] for (uint r = 0u; r < ROWS; ++r) {
        blk = rblk[r];
        decode32(b, u, w[r]);
#if defined(GATE_UP)
        blk = rblk_up[r];
        decode32(b, u, w_up[r]);
#endif
      }
      [[unroll]] for (uint t = 0u; t < TOKENS; ++t) {
        uint tile = (x_row[t] * pc.k + b * QK + 32u * u) / 4u;
        vec4 mine[SLOTS];
        [[unroll]] for (uint sl = 0u; sl < SLOTS; ++sl) mine[sl] = texelFetch(x4, int(tile + (lane + sl * LANES) % 8u));
        // Two partial sums per row: shorter chains of dependent adds.
        float s[MAX_ROWS][2], s_up[MAX_ROWS][2];
        [[unroll]] for (uint r = 0u; r < ROWS; ++r) s[r][0] = s[r][1] = s_up[r][0] = s_up[r][1] = 0.0;
        [[unroll]] for (uint j = 0u; j < 32u; ++j) {
          uint v = j / 4u;
          float xj = subgroupShuffle(mine[v / LANES][j % 4u], v % LANES);
          [[unroll]] for (uint r = 0u; r < ROWS; ++r) {
            s[r][j & 1u] += w[r][j] * xj;
#if defined(GATE_UP)
            s_up[r][j & 1u] += w_up[r][j] * xj;
#endif
          }
        }
        [[unroll]] for (uint r = 0u; r < ROWS; ++r) {
          acc[t * ROWS + r] += s[r][0] + s[r][1];
#if defined(GATE_UP)
          acc_up[t * ROWS + r] += s_up[r][0] + s_up[r][1];
#endif
        }
      }
    }
  }
  [[unroll]] for (uint r = 0u; r < ROWS; ++r) {
    uint row = row0 + r * LANES + lane;
    if (row >= pc.n) break;
    [[unroll]] for (uint t = 0u; t < TOKENS; ++t) {
      if (t >= toks) break;
#if defined(GATE_UP)
      float v = activate(pc.act, acc[t * ROWS + r]) * acc_up[t * ROWS + r];
#else
      float v = acc[t * ROWS + r];
#endif
#if defined(EXPERTS) || defined(EXPERTS_BATCH)
      if (pc.expert_bias != 0u) v += bias[first_w_row + row];
#else
      if (pc.has_bias != 0u) v += bias[row];
#endif
      uint at = out_row[t] * out_stride + row;
      if (pc.has_residual != 0u) v += residual[at];
      outp[at] = v;
    }
  }
}
