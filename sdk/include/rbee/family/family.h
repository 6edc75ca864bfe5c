/* Family helpers (header-only, compiled into the plugin; not part of the ABI): a whole plugin
 * from an rbee_family. Include this one header; define the family and then
 *
 *   RBEE_FAMILY_ENTRY(k_family, "llama", "0.1.0", "Llama 1/2/3.x ...", k_architectures)
 *
 * which exports rbee_entry. The plugin instance holds the host and the extensions the family
 * uses; every model holds them too, so the plugin keeps no globals. */
#ifndef RBEE_FAMILY_FAMILY_H
#define RBEE_FAMILY_FAMILY_H

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "rbee/family/blocks.h"
#include "rbee/family/hparams.h"
#include "rbee/family/model.h"
#include "rbee/family/names.h"
#include "rbee/family/windows.h"
#include "rbee/rbee.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rbee_family_instance {
  rbee_plugin plugin; /* plugin.plugin_data points back here */
  const rbee_family* family;
  const rbee_host* host;
  const rbee_graph_moe_api* moe;
  const rbee_graph_heads_api* heads;
  const rbee_graph_experts_api* experts;
} rbee_family_instance;

static inline const rbee_family_instance* rbee_family_instance_of(const rbee_plugin* plugin) {
  return (const rbee_family_instance*)plugin->plugin_data;
}

/* describe(): one hyperparameter, its value printf-formatted. */
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static inline void rbee_emitf(rbee_describe_fn emit, void* ctx, const char* key, const char* fmt, ...) {
  char value[128];
  va_list args;
  va_start(args, fmt);
  vsnprintf(value, sizeof value, fmt, args);
  va_end(args);
  emit(ctx, key, value);
}

/* GGUF carries no vocabulary size: the rows of the token embedding. */
static inline rbee_status rbee_family_vocab_from_embedding(const rbee_hparams* r, rbee_family_model* m) {
  const char* name = rbee_model_tensor_name(m, RBEE_T_TOKEN_EMBD);
  rbee_tensor_info embd = {.struct_size = sizeof embd};
  if (r->api->tensor_info(r->src, name, &embd) != RBEE_OK || embd.n_dims != 2 || embd.shape[0] == 0 ||
      embd.shape[0] > 0x7fffffff)
    return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%s: missing or not a 2-D [vocabulary, hidden] tensor", name);
  m->n_vocab = (uint32_t)embd.shape[0];
  return RBEE_OK;
}

/* The checks every family needs once its hyperparameters are read. */
static inline rbee_status rbee_family_check(const rbee_hparams* r, rbee_family_model* m) {
  if (m->n_head % m->n_head_kv != 0)
    return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%u attention heads are not a multiple of %u KV heads", m->n_head,
                     m->n_head_kv);
  if (m->rope.n_rot > m->rope.head_dim || m->rope.n_rot % 2 != 0)
    return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "rotary dimensions %u do not fit head size %u", m->rope.n_rot,
                     m->rope.head_dim);
  if (m->n_expert != 0 && (m->n_expert_used == 0 || m->n_expert_used > m->n_expert || m->n_expert_used > 32))
    return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%u experts per token of %u (expected 1 to at most 32)",
                     m->n_expert_used, m->n_expert);
  return RBEE_OK;
}

/* Reads the model's hyperparameters: the family's table, the common defaults, RoPE scaling,
 * the family's own read(), the common checks. */
static inline rbee_status rbee_family_read(const rbee_family* f, const rbee_source* src, rbee_family_model* m,
                                           rbee_error* err) {
  rbee_hparams r;
  RBEE_TRY(rbee_hparams_open(&r, m->host->source, src, err));
  m->format = r.format;
  m->names = f->names;
  m->rope = (rbee_rope_params){.struct_size = sizeof m->rope, .mode = RBEE_ROPE_NEOX, .factor = 1.0f};
  if (f->prepare != NULL) RBEE_TRY(f->prepare(&r, m));
  RBEE_TRY(rbee_hparams_read_table(&r, f->hparams, f->n_hparams, m));
  if (m->n_head_kv == 0) m->n_head_kv = m->n_head;
  if (m->head_dim == 0) m->head_dim = m->n_embd / m->n_head;
  if (m->rope.n_rot == 0) m->rope.n_rot = m->head_dim;
  if (m->n_vocab == 0) RBEE_TRY(rbee_family_vocab_from_embedding(&r, m));
  if (!(f->flags & RBEE_FAMILY_OWN_ROPE_SCALING)) RBEE_TRY(rbee_hparams_rope_scaling(&r, &m->rope));
  if (f->read != NULL) RBEE_TRY(f->read(&r, m));
  if (m->rope.n_heads == 0) m->rope.n_heads = m->n_head;
  if (m->rope.head_dim == 0) m->rope.head_dim = m->head_dim;
  return rbee_family_check(&r, m);
}

static inline void rbee_family_destroy_model(const rbee_plugin* plugin, rbee_model* model) {
  rbee_family_model* m = (rbee_family_model*)model;
  (void)plugin;
  if (m == NULL) return;
  if (m->family->release != NULL) m->family->release(m);
  free(m);
}

static inline rbee_status rbee_family_create_model(const rbee_plugin* plugin, const rbee_source* src, rbee_model** out,
                                                   rbee_error* err) {
  const rbee_family_instance* inst = rbee_family_instance_of(plugin);
  rbee_family_model* m = (rbee_family_model*)calloc(1, inst->family->model_size);
  if (m == NULL) return rbee_fail(err, RBEE_ERROR_OUT_OF_MEMORY, "out of memory");
  m->family = inst->family;
  m->host = inst->host;
  m->moe = inst->moe;
  m->heads = inst->heads;
  m->experts = inst->experts;
  rbee_status s = rbee_family_read(inst->family, src, m, err);
  if (s != RBEE_OK) {
    rbee_family_destroy_model(plugin, (rbee_model*)m);
    return s;
  }
  *out = (rbee_model*)m;
  return RBEE_OK;
}

/* Copies a filled struct into the host's, only as far as the host's struct_size reaches. */
static inline void rbee_copy_to_host(void* out, const void* filled, size_t size) {
  uint32_t host_size = *(const uint32_t*)out;
  memcpy((char*)out + sizeof(uint32_t), (const char*)filled + sizeof(uint32_t),
         (host_size < size ? host_size : size) - sizeof(uint32_t));
}

static inline rbee_status rbee_family_model_info(const rbee_plugin* plugin, const rbee_model* model, rbee_model_info* out,
                                                 rbee_error* err) {
  const rbee_family_model* m = (const rbee_family_model*)model;
  rbee_model_info info = {.struct_size = sizeof info, .n_vocab = m->n_vocab, .n_layers = m->n_layer,
                          .n_ctx_train = m->n_ctx_train};
  (void)plugin;
  if (out->struct_size < sizeof(uint32_t) * 4)
    return rbee_fail(err, RBEE_ERROR_INVALID_ARGUMENT, "rbee_model_info struct_size %u is too small", out->struct_size);
  rbee_copy_to_host(out, &info, sizeof info);
  return RBEE_OK;
}

static inline rbee_status rbee_family_kv_layout(const rbee_plugin* plugin, const rbee_model* model, uint32_t layer,
                                                rbee_kv_layout* out, rbee_error* err) {
  const rbee_family_model* m = (const rbee_family_model*)model;
  rbee_kv_layout kv = {.struct_size = sizeof kv, .n_kv_heads = m->n_head_kv, .head_dim_k = m->head_dim,
                       .head_dim_v = m->head_dim};
  (void)plugin;
  if (layer >= m->n_layer)
    return rbee_fail(err, RBEE_ERROR_INVALID_ARGUMENT, "layer %u of a model of %u layers", layer, m->n_layer);
  if (out->struct_size < sizeof(uint32_t) * 4)
    return rbee_fail(err, RBEE_ERROR_INVALID_ARGUMENT, "rbee_kv_layout struct_size %u is too small", out->struct_size);
  if (m->family->kv_layout != NULL) m->family->kv_layout(m, layer, &kv);
  rbee_copy_to_host(out, &kv, sizeof kv);
  return RBEE_OK;
}

/* The hyperparameters every family shows, then the family's own. */
static inline rbee_status rbee_family_describe(const rbee_plugin* plugin, const rbee_model* model, rbee_describe_fn emit,
                                               void* ctx, rbee_error* err) {
  const rbee_family_model* m = (const rbee_family_model*)model;
  (void)plugin;
  (void)err;
  rbee_emitf(emit, ctx, "vocab", "%u", m->n_vocab);
  rbee_emitf(emit, ctx, "hidden", "%u", m->n_embd);
  rbee_emitf(emit, ctx, "layers", "%u", m->n_layer);
  rbee_emitf(emit, ctx, "heads", "%u", m->n_head);
  rbee_emitf(emit, ctx, "kv_heads", "%u", m->n_head_kv);
  rbee_emitf(emit, ctx, "head_dim", "%u", m->head_dim);
  if (m->n_ff) rbee_emitf(emit, ctx, "ffn", "%u", m->n_ff);
  rbee_emitf(emit, ctx, "context_train", "%u", m->n_ctx_train);
  rbee_emitf(emit, ctx, "norm_eps", "%g", m->norm_eps);
  rbee_emitf(emit, ctx, "rope_theta", "%g", m->rope.theta);
  rbee_emitf(emit, ctx, "rope_dims", "%u", m->rope.n_rot);
  rbee_emitf(emit, ctx, "rope_order", "%s", m->rope.mode == RBEE_ROPE_NEOX ? "neox (halves)" : "normal (pairs)");
  rbee_emitf(emit, ctx, "rope_scaling", "%s",
             m->rope_scaling_shown ? m->rope_scaling_shown : rbee_rope_scaling_name(m->rope.scaling));
  if (m->rope.scaling != RBEE_ROPE_SCALING_NONE) rbee_emitf(emit, ctx, "rope_factor", "%g", m->rope.factor);
  if (m->n_expert) {
    rbee_emitf(emit, ctx, "experts", "%u", m->n_expert);
    rbee_emitf(emit, ctx, "experts_used", "%u", m->n_expert_used);
  }
  if (m->family->describe != NULL) m->family->describe(m, emit, ctx);
  return RBEE_OK;
}

static inline rbee_status rbee_family_build_graph(const rbee_plugin* plugin, const rbee_model* model, rbee_graph* graph,
                                                  rbee_error* err) {
  const rbee_family_instance* inst = rbee_family_instance_of(plugin);
  rbee_builder b = {.api = inst->host->graph, .moe = inst->moe, .heads = inst->heads, .experts = inst->experts,
                    .g = graph, .m = (const rbee_family_model*)model};
  (void)err; /* the graph holds the message */
  inst->family->build(&b);
  return b.api->graph_status(graph);
}

static inline void rbee_family_destroy_plugin(const rbee_plugin* plugin) {
  free((void*)rbee_family_instance_of(plugin));
}

/* The host extension `id`, which hosts offer from ABI 2.<since_minor> on, or an error naming
 * what this plugin needs. */
static inline rbee_status rbee_require_extension(const rbee_host* host, const char* plugin_name, const char* id,
                                                 uint32_t since_minor, const void** out, rbee_error* err) {
  *out = host->get_extension(host, id);
  if (*out != NULL) return RBEE_OK;
  return rbee_fail(err, RBEE_ERROR_ABI,
                   "plugin %s needs the host extension %s (rbee ABI %d.%u or later); host %s %s (ABI %u.%u) lacks it",
                   plugin_name, id, RBEE_ABI_MAJOR, since_minor, host->name ? host->name : "?",
                   host->version ? host->version : "?", host->abi_major, host->abi_minor);
}

/* create_plugin: checks that the host offers what the family uses and makes the instance. */
static inline rbee_status rbee_family_create_plugin(const rbee_family* family, const char* name, const rbee_host* host,
                                                    const rbee_plugin** out, rbee_error* err) {
  const void* moe = NULL;
  const void* heads = NULL;
  const void* experts = NULL;
  if (host->abi_major != RBEE_ABI_MAJOR || host->struct_size < sizeof(rbee_host))
    return rbee_fail(err, RBEE_ERROR_ABI, "plugin %s needs rbee ABI %d.0 or a later %d.x; the host speaks %u.%u", name,
                     RBEE_ABI_MAJOR, RBEE_ABI_MAJOR, host->abi_major, host->abi_minor);
  if (family->flags & RBEE_FAMILY_USES_MOE) RBEE_TRY(rbee_require_extension(host, name, RBEE_EXT_GRAPH_MOE, 0, &moe, err));
  if (family->flags & RBEE_FAMILY_USES_HEADS)
    RBEE_TRY(rbee_require_extension(host, name, RBEE_EXT_GRAPH_HEADS, 0, &heads, err));
  if (family->flags & RBEE_FAMILY_USES_EXPERTS)
    RBEE_TRY(rbee_require_extension(host, name, RBEE_EXT_GRAPH_EXPERTS, 1, &experts, err));
  rbee_family_instance* inst = (rbee_family_instance*)calloc(1, sizeof *inst);
  if (inst == NULL) return rbee_fail(err, RBEE_ERROR_OUT_OF_MEMORY, "out of memory");
  inst->family = family;
  inst->host = host;
  inst->moe = (const rbee_graph_moe_api*)moe;
  inst->heads = (const rbee_graph_heads_api*)heads;
  inst->experts = (const rbee_graph_experts_api*)experts;
  inst->plugin = (rbee_plugin){
      .struct_size = sizeof(rbee_plugin),
      .plugin_data = inst,
      .destroy = rbee_family_destroy_plugin,
      .create_model = rbee_family_create_model,
      .destroy_model = rbee_family_destroy_model,
      .model_info = rbee_family_model_info,
      .kv_layout = rbee_family_kv_layout,
      .describe = rbee_family_describe,
      .build_graph = rbee_family_build_graph,
      .get_extension = NULL,
  };
  *out = &inst->plugin;
  return RBEE_OK;
}

/* Exports rbee_entry for the family (priority 0; no library-wide state, so no init/deinit). */
#define RBEE_FAMILY_ENTRY(family, NAME, VERSION, DESCRIPTION, ARCHITECTURES)                                 \
  static rbee_status rbee_family_create_plugin_(const rbee_host* host, const rbee_plugin** out, rbee_error* err) { \
    return rbee_family_create_plugin(&(family), NAME, host, out, err);                                        \
  }                                                                                                            \
  RBEE_EXPORT const rbee_plugin_entry rbee_entry = {                                                          \
      .struct_size = sizeof(rbee_plugin_entry),                                                                \
      .abi_major = RBEE_ABI_MAJOR,                                                                             \
      .abi_minor = RBEE_ABI_MINOR,                                                                             \
      .name = NAME,                                                                                            \
      .version = VERSION,                                                                                      \
      .description = DESCRIPTION,                                                                              \
      .priority = 0,                                                                                           \
      .architectures = ARCHITECTURES,                                                                          \
      .init = NULL,                                                                                            \
      .deinit = NULL,                                                                                          \
      .create_plugin = rbee_family_create_plugin_,                                                             \
  };

#ifdef __cplusplus
}
#endif
#endif
