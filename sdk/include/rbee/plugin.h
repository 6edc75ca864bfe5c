/* The plugin interface: what a model-family plugin exports and what the host hands it.
 *
 * A plugin is a shared library exporting one symbol, rbee_plugin_entry. The host calls it
 * first with its own ABI version; the plugin returns its descriptor (a pointer to static
 * storage, owned by the plugin, valid until the library is unloaded) or NULL if it cannot work
 * with that host. The host refuses a descriptor whose abi_major differs from its own.
 *
 * Compatibility: every struct starts with struct_size and only grows at its end; tables of
 * functions are append-only. Each side reads a field only when the other side's struct_size
 * covers it (a plugin filling a host struct, such as rbee_kv_layout, writes only the fields
 * the host's struct_size covers). Optional capabilities are asked for by versioned string id ("rbee.moe/1").
 *
 * Threads: entry, init and shutdown are called once, from the host's main thread. A model's
 * functions may be called from any one thread at a time per model. */
#ifndef RBEE_PLUGIN_H
#define RBEE_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#include "rbee/graph.h"
#include "rbee/source.h"
#include "rbee/status.h"
#include "rbee/version.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum rbee_log_level {
  RBEE_LOG_DEBUG = 0,
  RBEE_LOG_INFO = 1,
  RBEE_LOG_WARN = 2,
  RBEE_LOG_ERROR = 3
} rbee_log_level;

/* What the host hands the plugin at init. Owned by the host, valid until shutdown returns. */
typedef struct rbee_host_api {
  uint32_t struct_size;
  uint32_t abi_major;
  uint32_t abi_minor;
  /* Any thread. message is copied. */
  void (*log)(rbee_log_level level, const char* plugin_name, const char* message);
  const rbee_source_api* source;
  const rbee_graph_api* graph;
  /* A host capability by versioned id, or NULL when the host does not have it. */
  const void* (*get_extension)(const char* id);
} rbee_host_api;

typedef struct rbee_model rbee_model; /* the plugin's own model object */

typedef struct rbee_model_info {
  uint32_t struct_size;
  uint32_t n_vocab;     /* rows of the logits */
  uint32_t n_layers;    /* number of KV caches the graph uses (see kv_layout) */
  uint32_t n_ctx_train; /* context length the model was trained for */
} rbee_model_info;

typedef struct rbee_kv_layout {
  uint32_t struct_size;
  uint32_t n_kv_heads;
  uint32_t head_dim_k;
  uint32_t head_dim_v;
  /* ABI 1.1 */
  uint32_t sliding_window; /* > 0: the layer attends to that many latest positions only, and its
                            * cache keeps only those */
  uint32_t values_in_keys; /* 1: values are the first head_dim_v columns of the keys, not cached
                            * apart (multi-head latent attention) */
} rbee_kv_layout;

/* Receives one hyperparameter for display ("n_heads", "32"). Strings are copied by the host. */
typedef void (*rbee_describe_fn)(void* ctx, const char* key, const char* value);

/* Required: name, architectures, create_model, destroy_model, model_info, kv_layout and
 * build_graph. May be NULL: version, description, init, shutdown, describe, get_extension. */
typedef struct rbee_plugin {
  uint32_t struct_size;
  uint32_t abi_major; /* RBEE_ABI_MAJOR the plugin was built with */
  uint32_t abi_minor;
  const char* name;        /* short id, e.g. "llama" */
  const char* version;     /* the plugin's own version */
  const char* description; /* one line */
  /* Higher wins when two plugins claim one architecture (the user's --plugin overrides). */
  int32_t priority;
  /* NULL-terminated list of the architectures handled: GGUF general.architecture values and
   * Hugging Face config.json model_type values. */
  const char* const* architectures;

  /* Called once after loading; host stays valid until shutdown. A non-OK status makes the host
   * skip this plugin with err's message. */
  rbee_status (*init)(const rbee_host_api* host, rbee_error* err);
  void (*shutdown)(void);

  /* Reads hyperparameters from src and returns a model object (owned by the plugin, freed by
   * destroy_model). src is valid only during this call. */
  rbee_status (*create_model)(const rbee_source* src, rbee_model** out, rbee_error* err);
  void (*destroy_model)(rbee_model* model);
  rbee_status (*model_info)(const rbee_model* model, rbee_model_info* out);
  rbee_status (*kv_layout)(const rbee_model* model, uint32_t layer, rbee_kv_layout* out);
  /* Emits the hyperparameters worth showing in `rbee inspect`. */
  rbee_status (*describe)(const rbee_model* model, rbee_describe_fn emit, void* ctx);
  /* Describes the forward pass for the graph's batch shape with host->graph. */
  rbee_status (*build_graph)(const rbee_model* model, rbee_graph* graph, rbee_error* err);
  /* A plugin capability by versioned id, or NULL. */
  const void* (*get_extension)(const char* id);
} rbee_plugin;

#define RBEE_PLUGIN_ENTRY_SYMBOL "rbee_plugin_entry"

#if defined(_WIN32)
#define RBEE_EXPORT __declspec(dllexport)
#else
#define RBEE_EXPORT __attribute__((visibility("default")))
#endif

typedef const rbee_plugin* (*rbee_plugin_entry_fn)(uint32_t host_abi_major, uint32_t host_abi_minor);

/* Every plugin defines this one function:
 *   RBEE_EXPORT const rbee_plugin* rbee_plugin_entry(uint32_t host_major, uint32_t host_minor); */
RBEE_EXPORT const rbee_plugin* rbee_plugin_entry(uint32_t host_abi_major, uint32_t host_abi_minor);

#ifdef __cplusplus
}
#endif
#endif
