/* Building a model's forward pass from the host's operations.
 *
 * The host calls the plugin's build_graph() with a graph handle for one batch shape (a number
 * of new tokens). The plugin describes the pass with the functions below; the host compiles it
 * once for that shape and replays it for every step of that shape, with positions, lengths and
 * token ids in device buffers. The plugin never sees data, only tensor handles.
 *
 * Activations are float32, 2-D [rows, cols] with rows = tokens. Weights are named tensors of
 * the model file, used in their stored type.
 *
 * Every function takes the graph as its context pointer. The base table below is frozen at ABI
 * 2.0; operation groups beyond it are extensions with tables of their own, obtained from
 * rbee_host.get_extension by versioned id (rbee/ext/moe.h, rbee/ext/heads.h).
 *
 * Errors: the graph is the rbee_error of its operations. An operation that cannot be built
 * returns RBEE_TENSOR_NONE and records the first failure's message on the graph; later calls
 * return RBEE_TENSOR_NONE at once, so a plugin checks graph_status() once, at the end of
 * build_graph, and returns it: the host reads the message from the graph.
 *
 * Thread: only the thread that called build_graph(), only during that call. */
#ifndef RBEE_GRAPH_H
#define RBEE_GRAPH_H

#include <stdint.h>

#include "rbee/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rbee_graph rbee_graph; /* opaque, owned by the host */
typedef int32_t rbee_tensor;          /* handle valid within one graph */
#define RBEE_TENSOR_NONE 0

typedef uint32_t rbee_norm_kind;
enum {
  RBEE_NORM_RMS = 0,  /* x / sqrt(mean(x^2) + eps) * (weight + weight_offset) */
  RBEE_NORM_LAYER = 1 /* (x - mean) / sqrt(var + eps) * weight + bias */
};

typedef struct rbee_norm_params {
  uint32_t struct_size;
  uint32_t kind; /* rbee_norm_kind */
  float eps;
  float weight_offset; /* 1.0 for Gemma's (1 + weight), else 0 */
  uint32_t group_size; /* 0: normalize whole rows; else each run of group_size columns on its own
                        * (per-head Q/K norms), with weight and bias of group_size elements */
  /* Since ABI 2.2. 0: every group of a row shares the weight and bias. 1: each group has its
   * own, stacked: weight and bias hold a row's cols elements ([cols / group_size, group_size]
   * or [cols]), the run of group g at g * group_size (llama.cpp's per-head Q/K norms of
   * StableLM 2). A 2.0 or 2.1 host refuses such a weight's shape. */
  uint32_t weight_per_group;
} rbee_norm_params;

typedef uint32_t rbee_rope_mode;
enum {
  RBEE_ROPE_NORMAL = 0, /* rotate adjacent pairs (x0,x1),(x2,x3)...: GGUF llama after llama.cpp's Q/K permutation */
  RBEE_ROPE_NEOX = 1    /* rotate halves (x_i, x_{i+d/2}): the Hugging Face layout */
};

typedef uint32_t rbee_rope_scaling;
enum {
  RBEE_ROPE_SCALING_NONE = 0,
  RBEE_ROPE_SCALING_LINEAR = 1, /* positions divided by factor */
  RBEE_ROPE_SCALING_LLAMA3 = 2, /* factor, low/high_freq_factor, original_max_positions */
  /* YaRN as transformers computes it: factor, original_max_positions, beta_fast,
   * beta_slow (the correction range rounded outwards); its attention factor goes in attn_factor. */
  RBEE_ROPE_SCALING_YARN = 3
};

typedef struct rbee_rope_params {
  uint32_t struct_size;
  uint32_t n_heads;
  uint32_t head_dim;
  uint32_t n_rot; /* rotated dimensions at the start of each head (== head_dim for full rotary) */
  uint32_t mode;  /* rbee_rope_mode */
  float theta;    /* base */
  uint32_t scaling; /* rbee_rope_scaling */
  float factor;
  float low_freq_factor;
  float high_freq_factor;
  uint32_t original_max_positions;
  float attn_factor; /* multiplies cos and sin (LongRoPE's attention factor); 0 means 1 */
  /* Per-pair frequency divisors given by value (LongRoPE's short or long factors from
   * config.json): n_rot / 2 of them, or NULL. Copied during the call. */
  const float* factors;
  uint32_t n_factors;
  float beta_fast; /* YaRN */
  float beta_slow;
  /* Since ABI 2.1 (a 2.0 struct reads as 0). YaRN: 1 keeps the correction range as computed
   * instead of rounding it outwards (config.json's "truncate": false, as gpt-oss has it). */
  uint32_t yarn_no_truncate;
} rbee_rope_params;

typedef struct rbee_attention_params {
  uint32_t struct_size;
  uint32_t layer; /* which KV cache (see rbee_plugin.kv_layout) */
  uint32_t n_heads;
  uint32_t n_kv_heads; /* n_heads must be a multiple */
  uint32_t head_dim_k;
  uint32_t head_dim_v;
  float scale; /* applied to q.k; usually 1/sqrt(head_dim_k) */
  float softcap;   /* > 0: scores become softcap * tanh(score / softcap) after scale (Gemma 2) */
  uint32_t window; /* > 0: a query sees only the last `window` positions up to its own; equals
                    * the layer's rbee_kv_layout.sliding_window */
  /* 1: v is RBEE_TENSOR_NONE and the values are the first head_dim_v columns of each key
   * (multi-head latent attention: the latent is cached once); equals the layer's
   * rbee_kv_layout.values_in_keys. */
  uint32_t values_in_keys;
  /* Since ABI 2.1 (a 2.0 struct reads as RBEE_TENSOR_NONE). Learned attention sinks (gpt-oss):
   * a weight of n_heads logits, one per query head, each joining its head's softmax as one more
   * score whose value is zero: out = sum_j e^(s_j) v_j / (e^(sink) + sum_j e^(s_j)). */
  rbee_tensor sinks;
} rbee_attention_params;

typedef uint32_t rbee_unary_op;
enum {
  RBEE_UNARY_SILU = 0,
  RBEE_UNARY_GELU = 1,
  RBEE_UNARY_GELU_TANH = 2,
  RBEE_UNARY_RELU = 3,
  RBEE_UNARY_SIGMOID = 4
};
typedef uint32_t rbee_binary_op;
enum { RBEE_BINARY_ADD = 0, RBEE_BINARY_MUL = 1 };


typedef struct rbee_graph_api {
  uint32_t struct_size;

  /* Number of new tokens this graph processes (its rows). */
  uint32_t (*n_tokens)(const rbee_graph* g);
  /* The token ids of this step, int32 [n_tokens]. */
  rbee_tensor (*input_tokens)(rbee_graph* g);
  /* A tensor of the model file by name; records an error naming it when absent. */
  rbee_tensor (*weight)(rbee_graph* g, const char* name);
  /* 1 when the model file has a tensor of that name, else 0; records nothing. */
  uint32_t (*has_weight)(const rbee_graph* g, const char* name);

  /* Rows of table [vocab, dim] picked by ids -> [n, dim]. */
  rbee_tensor (*embed)(rbee_graph* g, rbee_tensor table, rbee_tensor ids);
  /* Per-row normalization; weight and bias may be RBEE_TENSOR_NONE. */
  rbee_tensor (*norm)(rbee_graph* g, rbee_tensor x, rbee_tensor weight, rbee_tensor bias,
                      const rbee_norm_params* params);
  /* x [n, in] times weight [out, in] transposed (+ bias [out]) -> [n, out]. */
  rbee_tensor (*linear)(rbee_graph* g, rbee_tensor x, rbee_tensor weight, rbee_tensor bias);
  /* Rotary embedding of x [n, n_heads * head_dim] at the positions of this step.
   * freq_factors (optional, [n_rot / 2]) divides each pair's frequency after the scaling of
   * params: GGUF files of Llama 3.1 carry their scaling this way (rope_freqs.weight). */
  rbee_tensor (*rope)(rbee_graph* g, rbee_tensor x, rbee_tensor freq_factors, const rbee_rope_params* params);
  /* Appends k [n, n_kv_heads*head_dim_k] and v [n, n_kv_heads*head_dim_v] to the layer's cache,
   * then causal attention of q [n, n_heads*head_dim_k] over the cache -> [n, n_heads*head_dim_v]. */
  rbee_tensor (*attention)(rbee_graph* g, rbee_tensor q, rbee_tensor k, rbee_tensor v,
                           const rbee_attention_params* params);
  rbee_tensor (*unary)(rbee_graph* g, rbee_tensor x, rbee_unary_op op);
  /* a op b; b has a's shape, or is one row broadcast over a's rows, or one column
   * [n, 1] broadcast over a's columns (Qwen2-MoE's shared-expert gate). */
  rbee_tensor (*binary)(rbee_graph* g, rbee_tensor a, rbee_tensor b, rbee_binary_op op);
  /* act(gate) * up, elementwise. */
  rbee_tensor (*gated)(rbee_graph* g, rbee_tensor gate, rbee_tensor up, rbee_unary_op act);
  rbee_tensor (*scale)(rbee_graph* g, rbee_tensor x, float factor);
  /* Keeps the rows whose logits the caller asked for (all rows, or the last row of each
   * sequence in the batch that wants logits). Cheapest before the final norm and output
   * projection. */
  rbee_tensor (*output_rows)(rbee_graph* g, rbee_tensor x);
  /* Marks the logits [rows, vocab]. Exactly once per graph; a failure is recorded on the graph. */
  void (*set_output)(rbee_graph* g, rbee_tensor logits);
  /* RBEE_OK, or the status of the first error recorded on this graph. */
  rbee_status (*graph_status)(const rbee_graph* g);
  /* The first error's message, or NULL. Owned by the graph. */
  const char* (*graph_error)(const rbee_graph* g);

  /* cap * tanh(x / cap), elementwise (Gemma 2's final logit soft-capping); cap > 0. */
  rbee_tensor (*softcap)(rbee_graph* g, rbee_tensor x, float cap);
  /* Each row of x is `groups` equal runs of columns (1, or one per head); columns [begin, begin +
   * count) of every run -> [n, groups * count]. Splits fused projections (qkv, gate_up) and the
   * parts of heads (MLA's rotary and non-rotary halves). */
  rbee_tensor (*slice)(rbee_graph* g, rbee_tensor x, uint32_t groups, uint32_t begin, uint32_t count);
  /* Positions the KV cache holds: the context length of this run (LongRoPE picks its factors by it). */
  uint32_t (*n_ctx)(const rbee_graph* g);
} rbee_graph_api;

#ifdef __cplusplus
}
#endif
#endif
