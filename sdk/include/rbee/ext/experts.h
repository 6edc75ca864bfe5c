/* Extension "rbee.graph.experts/1" (since ABI 2.1): what gpt-oss's experts need beyond
 * rbee.graph.moe/1: experts stored transposed, per-expert biases and the clamped SwiGLU.
 *
 *   const rbee_graph_experts_api* ex = host->get_extension(host, RBEE_EXT_GRAPH_EXPERTS);
 *
 * NULL when the host lacks it. Frozen for this id, like every extension. Calls follow graph.h's
 * rules: the graph is the context and the error, same thread, same time. Experts and routing
 * are those of rbee.graph.moe/1 (rbee/ext/moe.h). */
#ifndef RBEE_EXT_EXPERTS_H
#define RBEE_EXT_EXPERTS_H

#include <stdint.h>

#include "rbee/graph.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RBEE_EXT_GRAPH_EXPERTS "rbee.graph.experts/1"

typedef struct rbee_graph_experts_api {
  uint32_t struct_size;
  /* Experts' weights from the 3-D tensor `name` stored [n_expert, in, out] (Hugging Face's
   * gpt-oss float checkpoints), as moe.h's experts() gives them ([n_expert, out, in]); they are
   * decoded to float32 and transposed at upload. */
  rbee_tensor (*experts_transposed)(rbee_graph* g, const char* name, uint32_t n_expert);
  /* moe.h's moe_linear plus the chosen expert's bias: row t * n_used + j gets biases[e] added,
   * e being token t's j-th chosen expert; biases is a 2-D float weight [n_expert, out]. */
  rbee_tensor (*moe_linear_bias)(rbee_graph* g, rbee_tensor x, rbee_tensor experts, rbee_tensor biases,
                                 rbee_tensor routing);
  /* gpt-oss's clamped SwiGLU, elementwise over gate and up of one shape:
   * g = min(gate, limit), u = clamp(up, -limit, limit), out = (u + 1) * g * sigmoid(alpha * g).
   * limit > 0, alpha > 0. */
  rbee_tensor (*clamped_swiglu)(rbee_graph* g, rbee_tensor gate, rbee_tensor up, float alpha, float limit);
} rbee_graph_experts_api;

#ifdef __cplusplus
}
#endif
#endif
