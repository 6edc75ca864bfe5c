/* Family helpers (header-only, compiled into the plugin; not part of the ABI): the model object
 * every family's model starts with, and the description of a family that generates the plugin's
 * boilerplate (family.h). */
#ifndef RBEE_FAMILY_MODEL_H
#define RBEE_FAMILY_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "rbee/ext/experts.h"
#include "rbee/ext/heads.h"
#include "rbee/ext/moe.h"
#include "rbee/family/hparams.h"
#include "rbee/family/names.h"
#include "rbee/plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rbee_family rbee_family;

/* The first member of every family's model struct. */
typedef struct rbee_family_model {
  /* The plugin instance's context, copied at create_model. */
  const rbee_family* family;
  const rbee_host* host;
  const rbee_graph_moe_api* moe;     /* NULL unless the family uses the extension */
  const rbee_graph_heads_api* heads; /* NULL unless the family uses the extension */
  const rbee_graph_experts_api* experts; /* NULL unless the family uses the extension */
  rbee_format format;
  rbee_name_table names; /* the family's table; read() may pick another (a layout variant) */
  /* Hyperparameters most families share, read through the family's table (RBEE_HP_COMMON_ROWS)
   * and completed by rbee_family_read: n_head_kv defaults to n_head, head_dim to n_embd /
   * n_head, rope.n_rot to head_dim, GGUF's n_vocab to the rows of the token embedding. */
  uint32_t n_vocab;
  uint32_t n_embd;
  uint32_t n_layer;
  uint32_t n_head;
  uint32_t n_head_kv;
  uint32_t head_dim;
  uint32_t n_ff;
  uint32_t n_ctx_train;
  float norm_eps;
  rbee_rope_params rope; /* for the queries: n_heads = n_head; rbee_rope_for_keys() for the keys */
  const char* rope_scaling_shown; /* describe's rope_scaling when not rope.scaling's (LongRoPE), else NULL */
  uint32_t n_expert;     /* 0: no experts */
  uint32_t n_expert_used;
} rbee_family_model;

/* Extensions a family uses: create_plugin refuses a host that lacks one. */
#define RBEE_FAMILY_USES_MOE 1u
#define RBEE_FAMILY_USES_HEADS 2u
/* The family reads RoPE scaling itself (LongRoPE, YaRN) instead of rbee_hparams_rope_scaling. */
#define RBEE_FAMILY_OWN_ROPE_SCALING 4u
/* The family uses rbee.graph.experts/1 (ABI 2.1). */
#define RBEE_FAMILY_USES_EXPERTS 8u

typedef struct rbee_builder rbee_builder; /* family/blocks.h */

/* A model family: its tables and the few functions only it can write (its name and
 * architectures go to RBEE_FAMILY_ENTRY). */
struct rbee_family {
  uint32_t flags;                   /* RBEE_FAMILY_* */
  size_t model_size;                /* sizeof the family's model, which starts with rbee_family_model */
  rbee_name_table names;
  const rbee_hparam* hparams; /* read in order into the model; RBEE_HP_COMMON_ROWS first */
  size_t n_hparams;
  /* Before the table: what decides how the rest is read (a generation, a variant of the names),
   * or a refusal of what the family cannot read (a nested config). May be NULL. */
  rbee_status (*prepare)(const rbee_hparams* r, rbee_family_model* m);
  /* After the table and the common defaults: what the table cannot say. May be NULL. */
  rbee_status (*read)(const rbee_hparams* r, rbee_family_model* m);
  /* Frees what read() allocated (also after it failed). May be NULL. */
  void (*release)(rbee_family_model* m);
  /* NULL: every layer caches n_head_kv heads of head_dim keys and values. */
  void (*kv_layout)(const rbee_family_model* m, uint32_t layer, rbee_kv_layout* out);
  /* Hyperparameters to show beyond the common ones. May be NULL. */
  void (*describe)(const rbee_family_model* m, rbee_describe_fn emit, void* ctx);
  /* The forward pass; failures are recorded on the graph. */
  void (*build)(const rbee_builder* b);
};

/* The .hparams and .n_hparams fields of an rbee_family for a static table. */
#define RBEE_FAMILY_HPARAMS(table) .hparams = (table), .n_hparams = sizeof(table) / sizeof((table)[0])

/* Rows of the hyperparameters most families share, under their usual GGUF and config.json keys.
 * A family's table starts with them and adds its own (norm_eps, n_ff, experts...) with RBEE_HP. */
#define RBEE_HP_BASE(kind, field, gguf, hf, default_value, required) \
  RBEE_HP(rbee_family_model, kind, field, gguf, hf, default_value, required)
#define RBEE_HP_COMMON_ROWS                                                                                 \
  RBEE_HP_BASE(RBEE_HP_U32, n_embd, "embedding_length", "hidden_size", 0, 1),                              \
  RBEE_HP_BASE(RBEE_HP_U32, n_layer, "block_count", "num_hidden_layers", 0, 1),                            \
  RBEE_HP_BASE(RBEE_HP_U32, n_head, "attention.head_count", "num_attention_heads", 0, 1),                  \
  RBEE_HP_BASE(RBEE_HP_U32, n_head_kv, "attention.head_count_kv", "num_key_value_heads", 0, 0),            \
  RBEE_HP_BASE(RBEE_HP_U32, head_dim, "attention.key_length", "head_dim", 0, 0),                           \
  RBEE_HP_BASE(RBEE_HP_U32, n_ctx_train, "context_length", "max_position_embeddings", 4096, 0),            \
  RBEE_HP_BASE(RBEE_HP_F32, rope.theta, "rope.freq_base", "rope_theta", 10000, 0),                         \
  RBEE_HP_BASE(RBEE_HP_U32, rope.n_rot, "rope.dimension_count", NULL, 0, 0),                               \
  RBEE_HP_BASE(RBEE_HP_U32, n_vocab, NULL, "vocab_size", 0, 1)
/* The feed-forward size, required. */
#define RBEE_HP_FFN_ROW RBEE_HP_BASE(RBEE_HP_U32, n_ff, "feed_forward_length", "intermediate_size", 0, 1)
/* Experts: GGUF's expert counts and config.json's under the family's key for the count. */
#define RBEE_HP_EXPERT_ROWS(hf_count_key)                                                  \
  RBEE_HP_BASE(RBEE_HP_COUNT, n_expert, "expert_count", hf_count_key, 0, 0),              \
  RBEE_HP_BASE(RBEE_HP_COUNT, n_expert_used, "expert_used_count", "num_experts_per_tok", 0, 0)

/* The RoPE of the keys: the queries' with the KV heads. */
static inline rbee_rope_params rbee_rope_for_keys(const rbee_family_model* m, const rbee_rope_params* rope_q) {
  rbee_rope_params k = *rope_q;
  k.n_heads = m->n_head_kv;
  return k;
}

/* The name pattern of tensor id in this model's format ("" when the format has none). */
static inline const char* rbee_model_tensor_name(const rbee_family_model* m, rbee_tensor_id id) {
  return rbee_tensor_name_of(m->names, id, m->format);
}

/* 1 when the model file has tensor id (for the layer, when per-layer). */
static inline int rbee_model_has_tensor(const rbee_family_model* m, const rbee_source* src, rbee_tensor_id id,
                                        uint32_t layer) {
  char name[160];
  rbee_tensor_info info = {.struct_size = sizeof info};
  const char* pattern = rbee_model_tensor_name(m, id);
  if (pattern[0] == '\0') return 0;
  snprintf(name, sizeof name, pattern, layer);
  return m->host->source->tensor_info(src, name, &info) == RBEE_OK;
}

#ifdef __cplusplus
}
#endif
#endif
