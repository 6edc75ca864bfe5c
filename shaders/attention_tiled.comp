#version 450
#extension GL_GOOGLE_include_directive : require
#extension GL_KHR_shader_subgroup_basic : enable
// Causal attention of a batch of queries over their sequences' KV cache, tiled in the
// FlashAttention manner (Dao 2023): a workgroup per (KV head, block of query rows of one
// segment), a row being a (token, query head) pair of that KV head (grouped-query heads
// together, tokens outer); a segment (step.glsl) is a run of tokens of one sequence, so a
// block's rows share that sequence's keys. The keys span only the positions some row of the
// block sees: later ones (causal) and, on sliding-window layers, ones older than the first
// row's window are never read. Cache rows: kv_cache.glsl's cache_row. Heads up to 256
// (record_attention). Attention sinks join each row's softmax at the end (normalizer). Two layouts:
// - storage buffers (GPUs): one row per lane; tiles of KEY_TILE positions are read once into
//   shared memory for all rows; each lane keeps its query and its output accumulator in
//   registers, with its own running max and sum (online softmax), so no reduction or barrier
//   runs beyond the two around each tile load.
// - TEXEL_KV (CPU implementations, which run a subgroup as the SIMD lanes of one thread: they
//   load storage and shared memory, and run cross-lane operations, lane by lane, but fetch a
//   texel for all lanes in one gather, and do not branch around code no lane runs): one KEY
//   per lane. The workgroup is one subgroup (record_attention: lanes = the subgroup size, so a
//   subgroup barrier orders its shared memory) and takes ROWS rows, whose scaled queries every
//   lane holds (the same values in every lane: a broadcast operand). It steps through the keys
//   KEYS_PER_LANE * lanes at a time, each lane fetching its own keys' and values' texels, so
//   each fetch serves all ROWS rows; the block table is read once per KV block. Each lane keeps
//   per row the online softmax (max, sum, accumulator) of the keys it saw, in log2 units (exp2);
//   at the end the lanes leave them in shared memory and merge them. The key loop has no
//   shared memory, barrier, table lookup per key or cross-lane operation; its loops over rows,
//   keys and head elements are unrolled (the host bounds their product: compile time).
//   Split-K (SPLITS > 1: decode and small batches at long contexts): workgroup z takes the z-th
//   of SPLITS equal ranges of the block's keys and writes its partial (unnormalized output,
//   then max in natural log units and sum), which attention_merge.comp reduces; the ranges
//   follow the step's positions, an empty one writes max -inf and sum 0.
#if defined(TEXEL_KV)
#define OUT_VEC4
#endif
#include "attention_io.glsl"

// Set by the host (record_attention): head sizes in 4-element groups (the padding is zeros),
// keys per tile (sized to the shared memory), and 1 where the values are the keys' first
// dv columns (MLA's latent): the key tile then serves as the value tile.
layout(constant_id = 1) const uint DK4 = 4;
layout(constant_id = 2) const uint DV4 = 4;
layout(constant_id = 3) const uint KEY_TILE = 16;
layout(constant_id = 4) const uint VALUES_IN_KEYS = 0;
// TEXEL_KV only: query rows per workgroup, keys per lane per step, key ranges per block (>1:
// partials, see above), 1 where scores are soft-capped, 1 on sliding-window layers (a ring;
// else paged).
layout(constant_id = 5) const uint ROWS = 8;
layout(constant_id = 6) const uint KEYS_PER_LANE = 2;
layout(constant_id = 7) const uint SPLITS = 1;
layout(constant_id = 8) const uint SOFTCAP = 0;
layout(constant_id = 9) const uint RING = 0;

uint slot;  // the cache slot of the workgroup's sequence
uint row_of(uint p) { return cache_row(slot, p, pc.ring, pc.table_stride); }

#if defined(TEXEL_KV)
const float LOG2E = 1.4426950408889634;
const float NEG_INF = -1.0 / 0.0;
const uint T = KEYS_PER_LANE;
shared vec4 q_sh[ROWS * DK4];  // the rows' queries
shared vec2 ml_sh[ROWS * gl_WorkGroupSize.x];  // per row and lane: max, sum
shared vec4 acc_sh[ROWS * gl_WorkGroupSize.x * DV4];

// x mod m for x below 2^23 (here below m plus a step of keys): a float quotient, corrected
// once either way, as a CPU's vector unit has no integer division.
uint mod_small(uint x, uint m, float inv_m) {
  int r = int(x) - int(m) * int(float(x) * inv_m);
  r = r < 0 ? r + int(m) : r;
  return r >= int(m) ? uint(r) - m : uint(r);
}

void main() {
  uint kvh = gl_WorkGroupID.x;
  uint group = pc.n_heads / pc.n_kv_heads;
  uint lanes = gl_WorkGroupSize.x, lane = gl_LocalInvocationID.x;
  // Workgroups are numbered through the segments, each taking its rows ROWS at a time; the
  // host dispatches enough for any split of its tokens into segments, and the rest return.
  uint y = gl_WorkGroupID.y, seg = 0u;
  for (; seg < step.n_segments; ++seg) {
    uint blocks = (segment_count(seg) * group + ROWS - 1u) / ROWS;
    if (y < blocks) break;
    y -= blocks;
  }
  if (seg == step.n_segments) return;  // the whole workgroup
  uint first_token = segment_first(seg);
  uint n_rows = segment_count(seg) * group;
  uint first_row = y * ROWS;
  uint last_row = min(first_row + ROWS, n_rows) - 1u;
  slot = token_slot(first_token);
  uint p0 = token_position(first_token);  // a segment's positions are consecutive

  // The block sees positions [block_begin, block_end); this workgroup takes [lo, hi) of them,
  // from a multiple of the step (so that a step's keys share a KV block of the table).
  const uint STEP = T * gl_WorkGroupSize.x;
  uint block_end = p0 + last_row / group + 1u;
  uint first_end = p0 + first_row / group + 1u;
  uint block_begin = pc.window != 0u && first_end > pc.window ? first_end - pc.window : 0u;
  uint lo = block_begin - block_begin % STEP, hi = block_end;
  if (SPLITS > 1u) {
    uint chunk = ((hi - lo + SPLITS - 1u) / SPLITS + STEP - 1u) / STEP * STEP;
    lo += gl_WorkGroupID.z * chunk;
    hi = min(hi, lo + chunk);
  }

  // Row r: its query (scaled, in log2 units), the same in every lane, and the positions it
  // sees within [lo, hi). The lanes compute the queries' 4-element groups together into
  // shared memory, then each lane reads them all.
  float q_scale = SOFTCAP != 0u ? pc.scale : pc.scale * LOG2E;
  for (uint i = lane; i < ROWS * DK4; i += lanes) {
    uint row = first_row + i / DK4, c = i % DK4;
    uint t = first_token + row / group, h = kvh * group + row % group;
    vec4 v = vec4(0.0);
    [[unroll]] for (uint e = 0u; e < 4u; ++e)
      if (row <= last_row && 4u * c + e < pc.dk) v[e] = query(t, h, 4u * c + e) * q_scale;
    q_sh[i] = v;
  }
  subgroupMemoryBarrierShared();
  subgroupBarrier();
  vec4 q[ROWS][DK4];
  uint r_lo[ROWS], r_hi[ROWS];
  [[unroll]] for (uint r = 0u; r < ROWS; ++r) {
    uint row = first_row + r;
    uint end = p0 + row / group + 1u;
    uint begin = pc.window != 0u && end > pc.window ? end - pc.window : 0u;
    r_lo[r] = max(begin, lo);
    r_hi[r] = row <= last_row ? min(end, hi) : 0u;
    [[unroll]] for (uint c = 0u; c < DK4; ++c) q[r][c] = q_sh[r * DK4 + c];
  }

  float m[ROWS], l[ROWS];
  vec4 acc[ROWS][DV4];
  [[unroll]] for (uint r = 0u; r < ROWS; ++r) {
    m[r] = NEG_INF;
    l[r] = 0.0;
    [[unroll]] for (uint c = 0u; c < DV4; ++c) acc[r][c] = vec4(0.0);
  }

  uint k_stride4 = pc.n_kv_heads * DK4, k_head4 = kvh * DK4;
  uint v_stride4 = pc.v_stride / 4u, v_head4 = kvh * (pc.v_head / 4u);
  float inv_ring = RING != 0u ? 1.0 / float(pc.ring) : 0.0;
  uint ring_lo = RING != 0u ? lo % pc.ring : 0u;  // lo's place in the ring, carried along
  uint ring_base = slot * pc.ring;
  uint last = block_end - 1u;  // keys past the block read this one's row (finite values)
  for (uint base = lo; base < hi; base += STEP) {
    vec4 kt[T][DK4], vt[T][DV4];
    uint pos[T];
    uint page_row = 0u;
    [[unroll]] for (uint i = 0u; i < T; ++i) {
      uint off = i * gl_WorkGroupSize.x;
      pos[i] = base + off + lane;
      uint p = min(pos[i], last), r;
      if (RING != 0u) {
        r = ring_base + mod_small(ring_lo + (p - base), pc.ring, inv_ring);
      } else if (KV_BLOCK % gl_WorkGroupSize.x == 0u) {
        // Lanes and steps are powers of two: a run of a lane per key from a multiple of the
        // lanes lies in one block, so the table is read once per block; keys clamped to
        // `last` are in its block (or in the run's).
        if (off % KV_BLOCK == 0u) {
          uint b = min(base + off, last);
          page_row = row_of(b) - b % KV_BLOCK;
        }
        r = page_row + p % KV_BLOCK;
      } else {
        r = row_of(p);
      }
      [[unroll]] for (uint c = 0u; c < DK4; ++c) kt[i][c] = key4(4u * (r * k_stride4 + k_head4 + c));
      if (VALUES_IN_KEYS == 0u)
        [[unroll]] for (uint c = 0u; c < DV4; ++c) vt[i][c] = value4(4u * (r * v_stride4 + v_head4 + c));
    }
    if (RING != 0u) ring_lo = mod_small(ring_lo + STEP, pc.ring, inv_ring);

    [[unroll]] for (uint r = 0u; r < ROWS; ++r) {
      float s[T];
      float tile_max = NEG_INF;
      [[unroll]] for (uint i = 0u; i < T; ++i) {
        vec4 d4 = vec4(0.0);
        [[unroll]] for (uint c = 0u; c < DK4; ++c) d4 += q[r][c] * kt[i][c];
        float si = (d4.x + d4.y) + (d4.z + d4.w);
        if (SOFTCAP != 0u) si = pc.softcap * LOG2E * tanh(si / pc.softcap);
        s[i] = pos[i] >= r_lo[r] && pos[i] < r_hi[r] ? si : NEG_INF;
        tile_max = max(tile_max, s[i]);
      }
      float m_new = max(m[r], tile_max);
      float m_use = m_new == NEG_INF ? 0.0 : m_new;  // nothing seen yet: no NaN from -inf - -inf
      float alpha = exp2(m[r] - m_use);
      float sum = 0.0;
      [[unroll]] for (uint i = 0u; i < T; ++i) {
        s[i] = s[i] == NEG_INF ? 0.0 : exp2(s[i] - m_use);
        sum += s[i];
      }
      l[r] = l[r] * alpha + sum;
      [[unroll]] for (uint c = 0u; c < DV4; ++c) {
        vec4 a = acc[r][c] * alpha;
        [[unroll]] for (uint i = 0u; i < T; ++i) a += s[i] * (VALUES_IN_KEYS != 0u ? kt[i][c] : vt[i][c]);
        acc[r][c] = a;
      }
      m[r] = m_new;
    }
  }

  // Merge the lanes' softmaxes through shared memory: lane i leaves its (max, sum,
  // accumulator) of every row there, then each lane computes output groups lane, lane + lanes,
  // ... (Cross-lane operations go lane by lane on a CPU: one store per group of 4.)
  [[unroll]] for (uint r = 0u; r < ROWS; ++r) {
    ml_sh[r * gl_WorkGroupSize.x + lane] = vec2(m[r], l[r]);
    [[unroll]] for (uint c = 0u; c < DV4; ++c) acc_sh[(r * gl_WorkGroupSize.x + lane) * DV4 + c] = acc[r][c];
  }
  subgroupMemoryBarrierShared();
  subgroupBarrier();
  for (uint i = lane; i < ROWS * (DV4 + 1u); i += lanes) {
    uint r = i / (DV4 + 1u), c = i % (DV4 + 1u), row = first_row + r;
    if (row > last_row) continue;
    float mx = NEG_INF;
    for (uint j = 0u; j < lanes; ++j) mx = max(mx, ml_sh[r * lanes + j].x);
    float m_use = mx == NEG_INF ? 0.0 : mx;
    vec4 o = vec4(0.0);
    float sum = 0.0;
    for (uint j = 0u; j < lanes; ++j) {
      vec2 ml = ml_sh[r * lanes + j];
      float w = ml.x == NEG_INF ? 0.0 : exp2(ml.x - m_use);
      sum += ml.y * w;
      if (c < DV4) o += acc_sh[(r * lanes + j) * DV4 + c] * w;
    }
    uint t = first_token + row / group, h = kvh * group + row % group;
    if (SPLITS > 1u) {
      // Split z's partial: the unnormalized output, then max (natural log units) and sum.
      uint out4 = ((t * pc.n_heads + h) * SPLITS + gl_WorkGroupID.z) * (DV4 + 1u);
      out4v[out4 + c] = c < DV4 ? o : vec4(mx == NEG_INF ? mx : mx / LOG2E, sum, 0.0, 0.0);
    } else if (c < DV4) {
      out4v[(t * pc.n_heads + h) * DV4 + c] = o * normalizer(h, mx / LOG2E, sum);
    }
  }
}

#else
shared vec4 k_tile[KEY_TILE * DK4];
shared vec4 v_tile[VALUES_IN_KEYS == 1u ? 1u : KEY_TILE * DV4];

// Four elements of a cache row from element `at`, zero past `len` of them.
vec4 cached4(bool keys, uint at, uint i, uint len) {
  vec4 r = vec4(0.0);
  for (uint c = 0; c < 4u && i + c < len; ++c) r[c] = keys ? KV_ELEM(kcache, at + i + c) : KV_ELEM(vcache, at + i + c);
  return r;
}

// The lanes copy positions [base, base + KEY_TILE) of KV head kvh into the tiles (zeros past end).
void load_tiles(uint base, uint end, uint kvh) {
  uint lanes = gl_WorkGroupSize.x, lane = gl_LocalInvocationID.x;
  uint k_stride = pc.n_kv_heads * pc.dk;
  for (uint i = lane; i < KEY_TILE * DK4; i += lanes) {
    uint j = i / DK4, c = 4u * (i % DK4), p = base + j;
    k_tile[i] = p < end ? cached4(true, row_of(p) * k_stride + kvh * pc.dk, c, pc.dk) : vec4(0.0);
  }
  if (VALUES_IN_KEYS == 1u) return;
  for (uint i = lane; i < KEY_TILE * DV4; i += lanes) {
    uint j = i / DV4, c = 4u * (i % DV4), p = base + j;
    v_tile[i] = p < end ? cached4(false, row_of(p) * pc.v_stride + kvh * pc.v_head, c, pc.dv) : vec4(0.0);
  }
}

void main() {
  uint kvh = gl_WorkGroupID.x;
  uint group = pc.n_heads / pc.n_kv_heads;  // query heads per KV head
  uint lanes = gl_WorkGroupSize.x;
  // Workgroups are numbered through the segments, each taking its rows `lanes` at a time; the
  // host dispatches enough for any split of its tokens into segments, and the rest return.
  uint y = gl_WorkGroupID.y, seg = 0u;
  for (; seg < step.n_segments; ++seg) {
    uint blocks = (segment_count(seg) * group + lanes - 1u) / lanes;
    if (y < blocks) break;
    y -= blocks;
  }
  if (seg == step.n_segments) return;  // the whole workgroup: no barrier is skipped by part of it
  uint first_token = segment_first(seg);
  uint n_rows = segment_count(seg) * group;
  uint first_row = y * lanes;
  uint last_row = min(first_row + lanes, n_rows) - 1u;
  uint row = first_row + gl_LocalInvocationID.x;
  bool in_batch = row < n_rows;
  uint t = first_token + row / group, h = kvh * group + row % group;
  slot = token_slot(first_token);
  uint p0 = token_position(first_token);  // a segment's positions are consecutive

  // This row sees positions [begin, end); the block, [block_begin, block_end).
  uint end = in_batch ? p0 + row / group + 1u : 0u;
  uint begin = pc.window != 0u && end > pc.window ? end - pc.window : 0u;
  uint block_end = p0 + last_row / group + 1u;
  uint first_end = p0 + first_row / group + 1u;
  uint block_begin = pc.window != 0u && first_end > pc.window ? first_end - pc.window : 0u;

  vec4 qr[DK4];
  [[unroll]] for (uint c = 0; c < DK4; ++c) {
    vec4 v = vec4(0.0);
    for (uint e = 0; e < 4u; ++e) {
      uint d = 4u * c + e;
      if (in_batch && d < pc.dk) v[e] = query(t, h, d) * pc.scale;
    }
    qr[c] = v;
  }
  vec4 acc[DV4];
  [[unroll]] for (uint c = 0; c < DV4; ++c) acc[c] = vec4(0.0);
  float m = -1.0 / 0.0, l = 0.0;
  float s[KEY_TILE];

  for (uint base = block_begin; base < block_end; base += KEY_TILE) {
    barrier();  // the previous tile is read by every lane
    load_tiles(base, block_end, kvh);
    barrier();
    uint n = min(KEY_TILE, block_end - base);
    float tile_max = -1.0 / 0.0;
    for (uint j = 0; j < n; ++j) {
      uint p = base + j;
      vec4 d4 = vec4(0.0);
      [[unroll]] for (uint c = 0; c < DK4; ++c) d4 += qr[c] * k_tile[j * DK4 + c];
      float sj = d4.x + d4.y + d4.z + d4.w;
      if (pc.softcap > 0.0) sj = pc.softcap * tanh(sj / pc.softcap);
      s[j] = p >= begin && p < end ? sj : -1.0 / 0.0;
      tile_max = max(tile_max, s[j]);
    }
    if (tile_max > -1.0 / 0.0) {  // some of this tile is seen by the row
      float m_new = max(m, tile_max);
      float alpha = exp(m - m_new);  // 0 while m is still -inf
      l *= alpha;
      [[unroll]] for (uint c = 0; c < DV4; ++c) acc[c] *= alpha;
      for (uint j = 0; j < n; ++j) {
        float pj = s[j] == -1.0 / 0.0 ? 0.0 : exp(s[j] - m_new);
        l += pj;
        [[unroll]] for (uint c = 0; c < DV4; ++c)
          acc[c] += pj * (VALUES_IN_KEYS == 1u ? k_tile[j * DK4 + c] : v_tile[j * DV4 + c]);
      }
      m = m_new;
    }
  }
  if (!in_batch) return;
  uint out_base = (t * pc.n_heads + h) * pc.dv;
  float norm = normalizer(h, m, l);
  for (uint c = 0; c < DV4; ++c)
    for (uint e = 0; e < 4u; ++e)
      if (4u * c + e < pc.dv) outp[out_base + 4u * c + e] = acc[c][e] * norm;
}
#endif
