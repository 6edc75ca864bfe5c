#version 450
#extension GL_GOOGLE_include_directive : require
// The k best logits of each row, best first (equal logits: lower id first), so that decode
// sends back k (logit, id) pairs a row instead of the whole vocabulary. Workgroup row y takes
// row y. Two variants:
//   TOPK_SLICES: workgroup (w, y) takes logits [w*slice, (w+1)*slice) of row y into shared
//                memory and emits its k best to cand[(y*slices + w)*k ..];
//   TOPK_MERGE:  workgroup (0, y) picks the k best of row y's n candidates into best[y*k ..].
// Each round finds the best remaining entry with a workgroup reduction and marks it taken.
#include "common.glsl"
layout(push_constant) uniform Push {
  uint n;      // logits of the row (SLICES) or candidates (MERGE)
  uint k;
  uint slice;  // logits per workgroup (SLICES), <= MAX_SLICE
} pc;

const uint NONE = 0xffffffffu;  // id of an empty or taken entry
#define MAX_SLICE 1024
#define MAX_WG 256

#if defined(TOPK_SLICES)
layout(std430, binding = 0) readonly buffer Logits { float logits[]; };
layout(std430, binding = 1) writeonly buffer Cand { vec2 outp[]; };  // (logit, uintBitsToFloat(id))
shared float vals[MAX_SLICE];
shared uint ids[MAX_SLICE];
#elif defined(TOPK_MERGE)
layout(std430, binding = 0) buffer Cand { vec2 cand[]; };
layout(std430, binding = 1) writeonly buffer Best { vec2 outp[]; };
#else
#error "define TOPK_SLICES or TOPK_MERGE"
#endif

shared float red_v[MAX_WG];
shared uint red_id[MAX_WG];
shared uint red_at[MAX_WG];

bool better(float v, uint id, float bv, uint bid) {
  if (id == NONE) return false;
  if (bid == NONE) return true;
  return v > bv || (v == bv && id < bid);
}

void main() {
  uint tid = gl_LocalInvocationID.x;
  uint wg = gl_WorkGroupSize.x;
#if defined(TOPK_SLICES)
  uint start = gl_WorkGroupID.x * pc.slice;
  uint count = start < pc.n ? min(pc.slice, pc.n - start) : 0u;
  uint row_base = gl_WorkGroupID.y * pc.n;
  for (uint i = tid; i < pc.slice; i += wg) {
    vals[i] = i < count ? logits[row_base + start + i] : 0.0;
    ids[i] = i < count ? start + i : NONE;
  }
  barrier();
  uint len = pc.slice;
#else
  uint len = pc.n;
  uint row_base = gl_WorkGroupID.y * pc.n;  // this row's candidates
#endif
  for (uint round = 0; round < pc.k; ++round) {
    float bv = 0.0;
    uint bid = NONE, bat = 0;
    for (uint i = tid; i < len; i += wg) {
#if defined(TOPK_SLICES)
      float v = vals[i];
      uint id = ids[i];
#else
      float v = cand[row_base + i].x;
      uint id = floatBitsToUint(cand[row_base + i].y);
#endif
      if (better(v, id, bv, bid)) { bv = v; bid = id; bat = i; }
    }
    red_v[tid] = bv;
    red_id[tid] = bid;
    red_at[tid] = bat;
    barrier();
    for (uint s = wg / 2u; s > 0u; s >>= 1) {
      if (tid < s && better(red_v[tid + s], red_id[tid + s], red_v[tid], red_id[tid])) {
        red_v[tid] = red_v[tid + s];
        red_id[tid] = red_id[tid + s];
        red_at[tid] = red_at[tid + s];
      }
      barrier();
    }
    if (tid == 0u) {
#if defined(TOPK_SLICES)
      outp[(gl_WorkGroupID.y * gl_NumWorkGroups.x + gl_WorkGroupID.x) * pc.k + round] = vec2(red_v[0], uintBitsToFloat(red_id[0]));
      if (red_id[0] != NONE) ids[red_at[0]] = NONE;
#else
      outp[gl_WorkGroupID.y * pc.k + round] = vec2(red_v[0], uintBitsToFloat(red_id[0]));
      if (red_id[0] != NONE) cand[row_base + red_at[0]].y = uintBitsToFloat(NONE);
#endif
    }
    barrier();
  }
}
