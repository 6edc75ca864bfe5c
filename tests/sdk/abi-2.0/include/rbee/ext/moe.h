/* Extension "rbee.graph.moe/1" (since ABI 2.0): mixture-of-experts operations. A token's output
 * is sum_j weight[j] * expert_j(x) over its n_used chosen experts; only the chosen experts'
 * weights are read.
 *
 *   const rbee_graph_moe_api* moe = host->get_extension(host, RBEE_EXT_GRAPH_MOE);
 *
 * NULL when the host lacks it. The table is frozen for this id: a changed or extended set of
 * operations gets a new id ("rbee.graph.moe/2"), which a host may offer beside this one. Calls
 * follow graph.h's rules: the graph is the context and the error, same thread, same time. */
#ifndef RBEE_EXT_MOE_H
#define RBEE_EXT_MOE_H

#include <stdint.h>

#include "rbee/graph.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RBEE_EXT_GRAPH_MOE "rbee.graph.moe/1"

typedef uint32_t rbee_moe_gating;
enum {
  RBEE_MOE_SOFTMAX = 0, /* scores: softmax of the router logits over all experts (Mixtral, Qwen) */
  RBEE_MOE_SIGMOID = 1  /* scores: sigmoid of each logit (DeepSeek V3) */
};

typedef struct rbee_moe_route_params {
  uint32_t struct_size;
  uint32_t n_expert;
  uint32_t n_used;    /* experts chosen per token (k), at most 32 */
  uint32_t gating;    /* rbee_moe_gating */
  uint32_t normalize; /* 1: the chosen scores are divided by their sum (Mixtral, Qwen3-MoE) */
  float scale;        /* multiplies the final weights (DeepSeek's routed_scaling_factor); 0 means 1 */
  /* Group-limited choice (DeepSeek): experts form n_group equal groups; a group's score is the
   * sum of its group_top best scores; only the topk_group best groups are chosen from.
   * n_group 0 or 1: no groups. */
  uint32_t n_group;
  uint32_t topk_group;
  uint32_t group_top;
} rbee_moe_route_params;

typedef struct rbee_graph_moe_api {
  uint32_t struct_size;
  /* Experts' weights [n_expert, out, in] of one projection: the 3-D tensor `name` of the file
   * (GGUF's ffn_*_exps), or, when name contains "%u", the n_expert 2-D tensors it names with
   * %u = 0, 1, ... (safetensors' experts.N.*), stacked by the host. */
  rbee_tensor (*experts)(rbee_graph* g, const char* name, uint32_t n_expert);
  /* Routing of router logits [n, n_expert]: scores by params->gating, the n_used best per token
   * (equal scores: lower id first; selection_bias [n_expert], optional, is added to the scores
   * for choosing only), and their weights. The result is read only by moe_linear and moe_combine. */
  rbee_tensor (*moe_route)(rbee_graph* g, rbee_tensor logits, rbee_tensor selection_bias,
                           const rbee_moe_route_params* params);
  /* Row t * n_used + j = x times the weight of token t's j-th chosen expert -> [n * n_used, out].
   * x has n rows (one input for every chosen expert) or n * n_used (one per chosen expert). */
  rbee_tensor (*moe_linear)(rbee_graph* g, rbee_tensor x, rbee_tensor experts, rbee_tensor routing);
  /* Row t = sum_j weight[t][j] * h[t * n_used + j] -> [n, cols of h]. */
  rbee_tensor (*moe_combine)(rbee_graph* g, rbee_tensor h, rbee_tensor routing);
} rbee_graph_moe_api;

#ifdef __cplusplus
}
#endif
#endif
