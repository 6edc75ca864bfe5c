#version 450
#extension GL_GOOGLE_include_directive : require
// Causal attention of this step's queries over their sequences' KV cache (the last `window`
// positions of it on sliding-window layers; rows found by kv_row, kv_cache.glsl), flash style: keys are taken a
// workgroup-width chunk at a time with a running max and sum, so no score array of the whole
// context is kept. One workgroup per (head, token); thread j of a chunk scores key j, and
// each thread owns output dims tid, tid + WG, ... of the value accumulator. TEXEL_KV (the
// variant of CPU implementations, whose storage loads go lane by lane): the cache is read as
// 4-element texels and each thread owns 4-dim groups 4*tid, 4*(tid + WG), ... instead (head
// dims, strides and offsets then are multiples of 4). attention_tiled.comp runs instead where
// that is faster (record_attention): batches, and on CPU devices single tokens too.
// Split-K (flash-decoding; SPLITS > 1, long contexts): workgroup z takes the z-th of SPLITS
// equal ranges of the keys its token sees (the host fixes SPLITS when recording; the ranges
// follow the position of each step) and writes its partial to binding 4: the unnormalized
// output (dv values, padded to a multiple of 4), then its max (log units) and sum; an empty
// range writes max -inf and sum 0. attention_merge.comp reduces the SPLITS partials of a row.
#include "attention_io.glsl"

layout(constant_id = 1) const uint SPLITS = 1;

// Head sizes up to MAX_HEAD_DIM: 256, or 1024 in the wide variants (MLA's latent heads of 576).
#ifndef MAX_HEAD_DIM
#define MAX_HEAD_DIM 256
#endif
#define MAX_WG 256
shared vec4 q_sh[MAX_HEAD_DIM / 4];
shared float p_sh[MAX_WG];
shared uint row_sh[MAX_WG];  // cache rows of the chunk's keys
shared float red[MAX_WG];
// Output dims per thread: MAX_HEAD_DIM / smallest workgroup (32).
#define ACC_PER_THREAD (MAX_HEAD_DIM / 32)

float reduce(float v, bool is_max) {
  uint tid = gl_LocalInvocationID.x;
  red[tid] = v;
  barrier();
  for (uint s = gl_WorkGroupSize.x / 2u; s > 0u; s >>= 1) {
    if (tid < s) red[tid] = is_max ? max(red[tid], red[tid + s]) : red[tid] + red[tid + s];
    barrier();
  }
  float r = red[0];
  barrier();
  return r;
}

void main() {
  uint h = gl_WorkGroupID.x;
  uint t = gl_WorkGroupID.y;
  uint tid = gl_LocalInvocationID.x;
  uint wg = gl_WorkGroupSize.x;
  uint kvh = h / (pc.n_heads / pc.n_kv_heads);
  uint kv_end = token_position(t) + 1u;  // positions [kv_begin, kv_end) are seen
  uint kv_begin = pc.window != 0u && kv_end > pc.window ? kv_end - pc.window : 0u;
  if (SPLITS > 1u) {  // this workgroup's range: whole chunks of the workgroup's width
    uint chunk = ((kv_end - kv_begin + SPLITS - 1u) / SPLITS + wg - 1u) / wg * wg;
    kv_begin = min(kv_end, kv_begin + gl_WorkGroupID.z * chunk);
    kv_end = min(kv_end, kv_begin + chunk);
  }
  uint k_stride = pc.n_kv_heads * pc.dk, v_stride = pc.v_stride;

  for (uint d = tid; d < pc.dk; d += wg) q_sh[d >> 2][d & 3u] = query(t, h, d) * pc.scale;
  barrier();

  float m = -1.0 / 0.0;
  float l = 0.0;
#if defined(TEXEL_KV)
  vec4 acc4[ACC_PER_THREAD / 4u];
  [[unroll]] for (uint i = 0; i < ACC_PER_THREAD / 4u; ++i) acc4[i] = vec4(0.0);
#else
  float acc[ACC_PER_THREAD];
  [[unroll]] for (uint i = 0; i < ACC_PER_THREAD; ++i) acc[i] = 0.0;
#endif

  for (uint base = kv_begin; base < kv_end; base += wg) {
    uint j = base + tid;
    float s = -1.0 / 0.0;
    if (j < kv_end) {
      uint r = kv_row(t, j);
      row_sh[tid] = r;
      uint kb = r * k_stride + kvh * pc.dk;
      s = 0.0;
#if defined(TEXEL_KV)
      for (uint d = 0; d < pc.dk; d += 4u) s += dot(q_sh[d >> 2], key4(kb + d));
#else
      for (uint d = 0; d < pc.dk; ++d) s += q_sh[d >> 2][d & 3u] * KV_ELEM(kcache, kb + d);
#endif
      if (pc.softcap > 0.0) s = pc.softcap * tanh(s / pc.softcap);
    }
    float m_new = max(m, reduce(s, true));
    float p = j < kv_end ? exp(s - m_new) : 0.0;
    p_sh[tid] = p;
    float alpha = exp(m - m_new);
    l = l * alpha + reduce(p, false);  // reduce's barriers also publish p_sh
    uint n_chunk = min(wg, kv_end - base);
#if defined(TEXEL_KV)
    [[unroll]] for (uint i = 0; i < ACC_PER_THREAD / 4u; ++i) {
      uint d = 4u * (tid + i * wg);
      if (d < pc.dv) {
        vec4 a = acc4[i] * alpha;
        for (uint jj = 0; jj < n_chunk; ++jj) a += p_sh[jj] * value4(row_sh[jj] * v_stride + kvh * pc.v_head + d);
        acc4[i] = a;
      }
    }
#else
    [[unroll]] for (uint i = 0; i < ACC_PER_THREAD; ++i) {
      uint d = tid + i * wg;
      if (d < pc.dv) {
        float a = acc[i] * alpha;
        for (uint jj = 0; jj < n_chunk; ++jj) a += p_sh[jj] * KV_ELEM(vcache, row_sh[jj] * v_stride + kvh * pc.v_head + d);
        acc[i] = a;
      }
    }
#endif
    m = m_new;
    barrier();
  }
  // The output row, or this split's partial (unnormalized; an empty range leaves m = -inf, l = 0).
  uint out_base = (t * pc.n_heads + h) * pc.dv;
  float scale = normalizer(h, m, l);
  if (SPLITS > 1u) {
    uint stride = 4u * ((pc.dv + 3u) / 4u) + 4u;
    out_base = ((t * pc.n_heads + h) * SPLITS + gl_WorkGroupID.z) * stride;
    if (tid == 0u) {
      outp[out_base + stride - 4u] = m;
      outp[out_base + stride - 3u] = l;
    }
    scale = 1.0;
  }
#if defined(TEXEL_KV)
  [[unroll]] for (uint i = 0; i < ACC_PER_THREAD / 4u; ++i) {
    uint d = 4u * (tid + i * wg);
    [[unroll]] for (uint c = 0; c < 4u; ++c)
      if (d + c < pc.dv) outp[out_base + d + c] = acc4[i][c] * scale;
  }
#else
  [[unroll]] for (uint i = 0; i < ACC_PER_THREAD; ++i) {
    uint d = tid + i * wg;
    if (d < pc.dv) outp[out_base + d] = acc[i] * scale;
  }
#endif
}
