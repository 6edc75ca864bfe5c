#version 450
#extension GL_GOOGLE_include_directive : require
// Causal attention of a batch of queries over their sequences' KV cache, tiled in the
// FlashAttention manner (Dao 2023): a workgroup per (KV head, block of query rows of one
// segment), a row being a (token, query head) pair of that KV head (grouped-query heads
// together, tokens outer), one row per lane; a segment (step.glsl) is a run of tokens of one
// sequence, so a block's rows share that sequence's keys. Tiles of
// KEY_TILE positions are read once into shared memory for all rows; each lane keeps its query
// and its output accumulator in registers, with its own running max and sum (online softmax),
// so no reduction or barrier runs beyond the two around each tile load. The tiles span only
// the positions some row of the block sees: later ones (causal) and, on sliding-window
// layers, ones older than the first row's window are never read. Cache rows: kv_cache.glsl's
// cache_row. Heads up to 256 (record_attention).
#include "attention_io.glsl"

// Set by the host (record_attention): head sizes in 4-element groups (the padding is zeros),
// keys per tile (sized to the shared memory), and 1 where the values are the keys' first
// dv columns (MLA's latent): the key tile then serves as the value tile.
layout(constant_id = 1) const uint DK4 = 4;
layout(constant_id = 2) const uint DV4 = 4;
layout(constant_id = 3) const uint KEY_TILE = 16;
layout(constant_id = 4) const uint VALUES_IN_KEYS = 0;

uint slot;  // the cache slot of the workgroup's sequence
uint row_of(uint p) { return cache_row(slot, p, pc.ring, pc.table_stride); }

#if defined(TEXEL_KV)
// A CPU implementation loads shared memory lane by lane but fetches a texel for all lanes in
// one gather: the tile is read from the cache itself, which the CPU's caches hold for the rows.
// r: the cache row of the tile's key j.
vec4 tile_key(uint j, uint r, uint c) { return key4(r * pc.n_kv_heads * pc.dk + gl_WorkGroupID.x * pc.dk + 4u * c); }
vec4 tile_value(uint j, uint r, uint c) { return value4(r * pc.v_stride + gl_WorkGroupID.x * pc.v_head + 4u * c); }
#else
shared vec4 k_tile[KEY_TILE * DK4];
shared vec4 v_tile[VALUES_IN_KEYS == 1u ? 1u : KEY_TILE * DV4];

vec4 tile_key(uint j, uint r, uint c) { return k_tile[j * DK4 + c]; }
vec4 tile_value(uint j, uint r, uint c) { return VALUES_IN_KEYS == 1u ? k_tile[j * DK4 + c] : v_tile[j * DV4 + c]; }

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
#endif

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
  uint rows[KEY_TILE];  // cache rows of the tile's keys (read by the texel path)

  for (uint base = block_begin; base < block_end; base += KEY_TILE) {
#if !defined(TEXEL_KV)
    barrier();  // the previous tile is read by every lane
    load_tiles(base, block_end, kvh);
    barrier();
#endif
    uint n = min(KEY_TILE, block_end - base);
    float tile_max = -1.0 / 0.0;
    for (uint j = 0; j < n; ++j) {
      uint p = base + j;
#if defined(TEXEL_KV)
      rows[j] = row_of(p);
#else
      rows[j] = 0u;  // unused: the tile holds the key
#endif
      vec4 d4 = vec4(0.0);
      [[unroll]] for (uint c = 0; c < DK4; ++c) d4 += qr[c] * tile_key(j, rows[j], c);
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
        [[unroll]] for (uint c = 0; c < DV4; ++c) acc[c] += pj * tile_value(j, rows[j], c);
      }
      m = m_new;
    }
  }
  if (!in_batch) return;
  uint out_base = (t * pc.n_heads + h) * pc.dv;
  for (uint c = 0; c < DV4; ++c)
    for (uint e = 0; e < 4u; ++e)
      if (4u * c + e < pc.dv) outp[out_base + 4u * c + e] = acc[c][e] / l;
}
