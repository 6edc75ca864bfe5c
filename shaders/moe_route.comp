#version 450
#extension GL_GOOGLE_include_directive : require
// Expert routing, one invocation per token: scores of the router logits (softmax over the
// experts, or sigmoid), the k best experts (a selection bias only for choosing; optionally only
// within the best groups of experts), their scores as weights, renormalized and scaled.
// Writes per token k ids (as floats) then k weights (see RoutingLayout in core/graph/graph.hpp).
#include "common.glsl"
layout(std430, binding = 0) readonly buffer Logits { float logits[]; };
layout(std430, binding = 1) readonly buffer Bias { float sel_bias[]; };
layout(std430, binding = 2) writeonly buffer Routing { float routing[]; };
layout(push_constant) uniform Push {
  uint n_tokens;
  uint n_expert;
  uint k;
  uint sigmoid;    // 0: softmax
  uint normalize;
  float scale;
  uint n_group;    // 1: no groups
  uint topk_group;
  uint group_top;
  uint has_bias;
} pc;

#define MAX_K 32
#define MAX_GROUPS 64

uint t;
float row_max, row_sum;  // softmax terms

float score(uint e) {
  float l = logits[t * pc.n_expert + e];
  return pc.sigmoid != 0u ? 1.0 / (1.0 + exp(-l)) : exp(l - row_max) / row_sum;
}
float choice(uint e) { return score(e) + (pc.has_bias != 0u ? sel_bias[e] : 0.0); }

bool listed(uint v, uint list[MAX_K], uint len) {
  for (uint i = 0; i < len; ++i)
    if (list[i] == v) return true;
  return false;
}

void main() {
  t = gl_GlobalInvocationID.x;
  if (t >= pc.n_tokens) return;
  row_max = -1.0 / 0.0;
  for (uint e = 0; e < pc.n_expert; ++e) row_max = max(row_max, logits[t * pc.n_expert + e]);
  row_sum = 0.0;
  for (uint e = 0; e < pc.n_expert; ++e) row_sum += exp(logits[t * pc.n_expert + e] - row_max);

  // Groups kept: the topk_group best by the sum of their group_top best choice scores.
  uint per_group = pc.n_expert / pc.n_group;
  bool kept[MAX_GROUPS];
  for (uint g = 0; g < MAX_GROUPS; ++g) kept[g] = pc.n_group == 1u;
  if (pc.n_group > 1u) {
    float group_score[MAX_GROUPS];
    for (uint g = 0; g < pc.n_group; ++g) {
      uint taken[MAX_K];
      float sum = 0.0;
      for (uint i = 0; i < pc.group_top; ++i) {
        uint best = 0u;
        float best_v = -1.0 / 0.0;
        for (uint e = g * per_group; e < (g + 1u) * per_group; ++e) {
          float v = choice(e);
          if (v > best_v && !listed(e, taken, i)) best_v = v, best = e;
        }
        taken[i] = best;
        sum += best_v;
      }
      group_score[g] = sum;
    }
    for (uint i = 0; i < pc.topk_group; ++i) {
      uint best = 0u;
      float best_v = -1.0 / 0.0;
      for (uint g = 0; g < pc.n_group; ++g)
        if (!kept[g] && group_score[g] > best_v) best_v = group_score[g], best = g;
      kept[best] = true;
    }
  }

  uint ids[MAX_K];
  float weights[MAX_K];
  float total = 0.0;
  for (uint j = 0; j < pc.k; ++j) {
    uint best = 0u;
    float best_v = -1.0 / 0.0;
    bool found = false;
    for (uint e = 0; e < pc.n_expert; ++e) {
      if (!kept[e / per_group] || listed(e, ids, j)) continue;
      float v = choice(e);
      if (!found || v > best_v) best_v = v, best = e, found = true;  // strict: ties keep the lower id
    }
    ids[j] = best;
    weights[j] = score(best);
    total += weights[j];
  }
  uint base = t * 2u * pc.k;
  for (uint j = 0; j < pc.k; ++j) {
    float w = pc.normalize != 0u ? weights[j] / total : weights[j];
    routing[base + j] = float(ids[j]);
    routing[base + pc.k + j] = w * pc.scale;
  }
}
