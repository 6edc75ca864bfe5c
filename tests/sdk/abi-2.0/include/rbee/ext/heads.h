/* Extension "rbee.graph.heads/1" (since ABI 2.0): per-head matrices, as multi-head latent
 * attention uses them (DeepSeek V2/V3, Kimi K2).
 *
 *   const rbee_graph_heads_api* heads = host->get_extension(host, RBEE_EXT_GRAPH_HEADS);
 *
 * NULL when the host lacks it. Frozen for this id, like every extension. Calls follow graph.h's
 * rules: the graph is the context and the error, same thread, same time. */
#ifndef RBEE_EXT_HEADS_H
#define RBEE_EXT_HEADS_H

#include <stdint.h>

#include "rbee/graph.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RBEE_EXT_GRAPH_HEADS "rbee.graph.heads/1"

typedef struct rbee_graph_heads_api {
  uint32_t struct_size;
  /* Rows of a and b as `groups` runs each, interleaved: [a_0, b_0, a_1, b_1, ...] per row
   * (per head: a head's two parts side by side). a and b have the same rows. */
  rbee_tensor (*concat)(rbee_graph* g, rbee_tensor a, rbee_tensor b, uint32_t groups);
  /* Per-head matrices [n_heads, out, in] cut from the 2-D tensor `name` [n_heads * R, C]: rows
   * [begin, begin + count) of each head's block of R rows, as they are ([count, C]: out = count,
   * in = C) or transposed ([C, count], decoded to float32 at upload), e.g. the key and value parts of
   * DeepSeek's kv_b_proj. experts() gives such matrices where the file stores them as 3-D. */
  rbee_tensor (*head_weights)(rbee_graph* g, const char* name, uint32_t n_heads, uint32_t begin, uint32_t count,
                              uint32_t transposed);
  /* x [n, n_heads * in]: head h's run times head h's matrix -> [n, n_heads * out]. */
  rbee_tensor (*head_linear)(rbee_graph* g, rbee_tensor x, rbee_tensor weights);
} rbee_graph_heads_api;

#ifdef __cplusplus
}
#endif
#endif
