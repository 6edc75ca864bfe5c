/* The plugin interface: what a model-family plugin exports and what the host hands it.
 *
 * A plugin is a shared library exporting one symbol, the constant rbee_entry (RBEE_ENTRY_SYMBOL).
 * Its first three fields never move in any ABI: the host reads the plugin's ABI version there
 * before anything else and refuses another major with a message naming both versions.
 *
 * Lifetime (after CLAP's clap_plugin_entry and clap_plugin):
 *   1. entry.init(path): once per load of the library by a host; the plugin counts, does its
 *      library-wide work on the first call and undoes it on the matching last deinit();
 *   2. entry.create_plugin(host): one plugin instance per host. The instance keeps the host
 *      pointer (its context) in its own plugin_data: a plugin has no globals, so two hosts in
 *      one process never meet;
 *   3. the instance's functions, each taking the instance as its first argument;
 *   4. plugin->destroy(plugin), then entry.deinit().
 *
 * Compatibility (sdk/README.md has the rules): every struct starts with struct_size and only
 * grows at its end. A side reads a field only when the other side's struct_size covers it, and
 * a plugin filling a host struct (rbee_model_info, rbee_kv_layout) writes only the fields the
 * host's struct_size covers. Capabilities beyond the frozen 2.0 tables are extensions, asked
 * for by versioned string id ("rbee.graph.moe/1") on either side.
 *
 * Errors: see status.h. Every function that can fail returns rbee_status and writes its message
 * into the rbee_error the caller passes. */
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

typedef uint32_t rbee_log_level;
enum { RBEE_LOG_DEBUG = 0, RBEE_LOG_INFO = 1, RBEE_LOG_WARN = 2, RBEE_LOG_ERROR = 3 };

/* The host, as one plugin instance sees it. Owned by the host; valid until the instance's
 * destroy() returns. Each instance gets its own: the host knows whose messages it logs. */
typedef struct rbee_host rbee_host;
struct rbee_host {
  uint32_t struct_size;
  uint32_t abi_major; /* the host's ABI */
  uint32_t abi_minor;
  void* host_data;     /* the host's own context; plugins never read it */
  const char* name;    /* "rbee" */
  const char* version; /* the host program's version, e.g. "0.1.0" */
  /* Thread: any. message is copied; the host prefixes the plugin's name. */
  void (*log)(const rbee_host* host, rbee_log_level level, const char* message);
  /* The frozen 2.0 base tables; static storage of the host. */
  const rbee_source_api* source;
  const rbee_graph_api* graph;
  /* A host capability by versioned id, or NULL when this host lacks it (rbee/ext/: graph
   * operation groups). The table is static storage of the host. Thread: any. */
  const void* (*get_extension)(const rbee_host* host, const char* id);
};

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
  uint32_t sliding_window; /* > 0: the layer attends to that many latest positions only, and its
                            * cache keeps only those */
  uint32_t values_in_keys; /* 1: values are the first head_dim_v columns of the keys, not cached
                            * apart (multi-head latent attention) */
} rbee_kv_layout;

/* Receives one hyperparameter for display ("n_heads", "32"). Strings are copied by the host. */
typedef void (*rbee_describe_fn)(void* ctx, const char* key, const char* value);

/* One plugin instance, made by rbee_plugin_entry.create_plugin for one host. Owned by the
 * plugin; the host calls destroy() when done with it. Every function takes the instance.
 *
 * Every function is required except describe and get_extension, which may be NULL.
 *
 * Thread: a model's functions (create_model through build_graph for one model) from one thread
 * at a time per model; different models may be used from different threads at once.
 * create_model, get_extension: any thread. destroy: once, after every model is destroyed. */
typedef struct rbee_plugin rbee_plugin;
struct rbee_plugin {
  uint32_t struct_size;
  void* plugin_data; /* the plugin's own context (its host pointer among it); the host never reads it */
  void (*destroy)(const rbee_plugin* plugin);

  /* Reads hyperparameters from src and returns a model object (owned by the plugin, freed by
   * destroy_model). src is valid only during this call. */
  rbee_status (*create_model)(const rbee_plugin* plugin, const rbee_source* src, rbee_model** out, rbee_error* err);
  void (*destroy_model)(const rbee_plugin* plugin, rbee_model* model);
  rbee_status (*model_info)(const rbee_plugin* plugin, const rbee_model* model, rbee_model_info* out, rbee_error* err);
  rbee_status (*kv_layout)(const rbee_plugin* plugin, const rbee_model* model, uint32_t layer, rbee_kv_layout* out,
                           rbee_error* err);
  /* Emits the hyperparameters worth showing in `rbee inspect`. May be NULL. */
  rbee_status (*describe)(const rbee_plugin* plugin, const rbee_model* model, rbee_describe_fn emit, void* ctx,
                          rbee_error* err);
  /* Describes the forward pass for the graph's batch shape with the host's graph tables; returns
   * the graph's status (graph.h). */
  rbee_status (*build_graph)(const rbee_plugin* plugin, const rbee_model* model, rbee_graph* graph, rbee_error* err);
  /* A plugin capability by versioned id, or NULL. May itself be NULL (no capabilities). */
  const void* (*get_extension)(const rbee_plugin* plugin, const char* id);
};

/* What the library exports: the constant rbee_entry. Every pointer field is required except
 * version, description, init and deinit. */
typedef struct rbee_plugin_entry {
  uint32_t struct_size;
  uint32_t abi_major; /* RBEE_ABI_MAJOR the plugin was built with; never moves */
  uint32_t abi_minor; /* RBEE_ABI_MINOR the plugin was built with; never moves */
  const char* name;        /* short id, e.g. "llama" */
  const char* version;     /* the plugin's own version */
  const char* description; /* one line */
  /* Higher wins when two plugins claim one architecture (the user's --plugin overrides). */
  int32_t priority;
  /* NULL-terminated list of the architectures handled: GGUF general.architecture values and
   * Hugging Face config.json model_type values. */
  const char* const* architectures;

  /* Counted, as described above; the host's main thread only. plugin_path is the library's
   * file. A non-OK status makes the host skip the library with err's message (no deinit). */
  rbee_status (*init)(const char* plugin_path, rbee_error* err);
  void (*deinit)(void);
  /* A new instance for host (which outlives it). Check the host here: its abi_minor and the
   * extensions this plugin uses; refuse with RBEE_ERROR_ABI naming the host version needed.
   * Thread: the host's main thread. */
  rbee_status (*create_plugin)(const rbee_host* host, const rbee_plugin** out, rbee_error* err);
} rbee_plugin_entry;

#define RBEE_ENTRY_SYMBOL "rbee_entry"

#if defined(_WIN32)
#define RBEE_EXPORT __declspec(dllexport)
#else
#define RBEE_EXPORT __attribute__((visibility("default")))
#endif

/* Every plugin defines this one constant:
 *   RBEE_EXPORT const rbee_plugin_entry rbee_entry = {...}; */
RBEE_EXPORT extern const rbee_plugin_entry rbee_entry;

#ifdef __cplusplus
}
#endif
#endif
