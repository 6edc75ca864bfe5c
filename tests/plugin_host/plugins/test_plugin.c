/* A configurable ABI 2 plugin for test_plugin_host; it uses only the base tables unless told
 * otherwise. Compile definitions pick the case:
 *   PLUGIN_NAME (required), PLUGIN_PRIORITY, PLUGIN_ABI_MAJOR (another major),
 *   PLUGIN_NEWER_MINOR (built for the next minor, still content with this host),
 *   PLUGIN_OLD_MINOR (an instance that ends before get_extension),
 *   PLUGIN_INIT_FAILS, PLUGIN_RETURNS_NULL (create_plugin succeeds without an instance),
 *   PLUGIN_NEEDS_EXTENSION="id" with PLUGIN_NEEDS_MINOR (the host minor that brought it).
 * Plugins that misbehave, for the host's quarantine (each a bug the host must survive or name):
 *   PLUGIN_ABORTS_AT_LOAD (a static constructor), PLUGIN_ABORTS_IN_INIT, PLUGIN_ABORTS_IN_CREATE_PLUGIN,
 *   PLUGIN_HANGS_IN_INIT, PLUGIN_GARBAGE_ENTRY (architectures points nowhere),
 *   PLUGIN_UNTERMINATED_ERROR (init fails filling all 512 bytes of the message, no NUL).
 * Plugins with models of architecture "llama" too (at priority -1, so the real plugin wins unless
 * --plugin picks them): create_model succeeds with a one-layer model unless
 *   PLUGIN_ABORTS_IN_CREATE_MODEL, PLUGIN_NULL_MODEL (OK without a model), PLUGIN_N_VOCAB=n
 *   (model_info's n_vocab), PLUGIN_ABORTS_IN_BUILD_GRAPH; build_graph adds nothing (no output). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rbee/rbee.h"
#include "test_counter.h"

#if defined(PLUGIN_ABORTS_IN_CREATE_MODEL) || defined(PLUGIN_NULL_MODEL) || defined(PLUGIN_N_VOCAB) || \
    defined(PLUGIN_ABORTS_IN_BUILD_GRAPH) || defined(PLUGIN_NO_OUTPUT)
#define PLUGIN_HAS_MODELS 1
#define PLUGIN_PRIORITY (-1)
#endif
#ifndef PLUGIN_N_VOCAB
#define PLUGIN_N_VOCAB 32
#endif
#ifndef PLUGIN_PRIORITY
#define PLUGIN_PRIORITY 0
#endif
#ifndef PLUGIN_ABI_MAJOR
#define PLUGIN_ABI_MAJOR RBEE_ABI_MAJOR
#endif
#ifdef PLUGIN_NEWER_MINOR
#define PLUGIN_ABI_MINOR (RBEE_ABI_MINOR + 1)
#else
#define PLUGIN_ABI_MINOR RBEE_ABI_MINOR
#endif
#ifndef PLUGIN_NEEDS_MINOR
#define PLUGIN_NEEDS_MINOR 0
#endif
#ifdef PLUGIN_RETURNS_NULL
static const int k_returns_null = 1;
#else
static const int k_returns_null = 0;
#endif

/* Library-wide: what init() counts. Everything else lives in an instance. */
static int32_t g_live_inits;

typedef struct instance {
  rbee_plugin plugin;
  const rbee_host* host;
} instance;

static const rbee_host* host_of(const rbee_plugin* plugin) { return ((const instance*)plugin->plugin_data)->host; }

#ifdef PLUGIN_ABORTS_AT_LOAD
__attribute__((constructor)) static void abort_at_load(void) {
  fprintf(stderr, "test plugin: aborting in a static constructor\n");
  abort();
}
#endif

static rbee_status init(const char* plugin_path, rbee_error* err) {
  (void)plugin_path, (void)err;
#if defined(PLUGIN_ABORTS_IN_INIT)
  abort();
#elif defined(PLUGIN_HANGS_IN_INIT)
  for (;;) sleep(1);
#elif defined(PLUGIN_UNTERMINATED_ERROR)
  memset(err->message, 'x', sizeof err->message);
  return RBEE_ERROR_UNSUPPORTED;
#elif defined(PLUGIN_INIT_FAILS)
  return rbee_fail(err, RBEE_ERROR_UNSUPPORTED, "needs hardware this test does not have");
#else
  ++g_live_inits;
  return RBEE_OK;
#endif
}

static void deinit(void) { --g_live_inits; }

static int32_t live_inits(void) { return g_live_inits; }

static void counter_log(const rbee_plugin* plugin, const char* message) {
  const rbee_host* host = host_of(plugin);
  host->log(host, RBEE_LOG_INFO, message);
}

static const test_counter_api k_counter = {sizeof(test_counter_api), live_inits, counter_log};

static void destroy(const rbee_plugin* plugin) {
  const rbee_host* host = host_of(plugin);
  host->log(host, RBEE_LOG_INFO, "destroyed");
  free(plugin->plugin_data);
}

#ifdef PLUGIN_HAS_MODELS
static int g_the_model; /* what create_model hands out: the model has no state */

static rbee_status create_model(const rbee_plugin* plugin, const rbee_source* src, rbee_model** out, rbee_error* err) {
  (void)plugin, (void)src, (void)err;
#ifdef PLUGIN_ABORTS_IN_CREATE_MODEL
  abort();
#endif
#ifdef PLUGIN_NULL_MODEL
  *out = NULL;
  (void)g_the_model;
#else
  *out = (rbee_model*)&g_the_model;
#endif
  return RBEE_OK;
}
static void destroy_model(const rbee_plugin* plugin, rbee_model* model) { (void)plugin, (void)model; }
static rbee_status model_info(const rbee_plugin* plugin, const rbee_model* model, rbee_model_info* out, rbee_error* err) {
  (void)plugin, (void)model, (void)err;
  out->n_vocab = (uint32_t)PLUGIN_N_VOCAB;
  out->n_layers = 1;
  out->n_ctx_train = 64;
  return RBEE_OK;
}
static rbee_status kv_layout(const rbee_plugin* plugin, const rbee_model* model, uint32_t layer, rbee_kv_layout* out,
                             rbee_error* err) {
  (void)plugin, (void)model, (void)layer, (void)err;
  out->n_kv_heads = 1;
  out->head_dim_k = out->head_dim_v = 8;
  return RBEE_OK;
}
static rbee_status build_graph(const rbee_plugin* plugin, const rbee_model* model, rbee_graph* graph, rbee_error* err) {
  (void)plugin, (void)model, (void)graph, (void)err;
#ifdef PLUGIN_ABORTS_IN_BUILD_GRAPH
  abort();
#endif
  return RBEE_OK;
}
#else
static rbee_status create_model(const rbee_plugin* plugin, const rbee_source* src, rbee_model** out, rbee_error* err) {
  (void)plugin, (void)src, (void)out;
  return rbee_fail(err, RBEE_ERROR_UNSUPPORTED, "a test plugin has no models");
}
static void destroy_model(const rbee_plugin* plugin, rbee_model* model) { (void)plugin, (void)model; }
static rbee_status model_info(const rbee_plugin* plugin, const rbee_model* model, rbee_model_info* out, rbee_error* err) {
  (void)plugin, (void)model, (void)out;
  return rbee_fail(err, RBEE_ERROR_UNSUPPORTED, "a test plugin has no models");
}
static rbee_status kv_layout(const rbee_plugin* plugin, const rbee_model* model, uint32_t layer, rbee_kv_layout* out,
                             rbee_error* err) {
  (void)plugin, (void)model, (void)layer, (void)out;
  return rbee_fail(err, RBEE_ERROR_UNSUPPORTED, "a test plugin has no models");
}
static rbee_status build_graph(const rbee_plugin* plugin, const rbee_model* model, rbee_graph* graph, rbee_error* err) {
  (void)plugin, (void)model, (void)graph;
  return rbee_fail(err, RBEE_ERROR_UNSUPPORTED, "a test plugin has no graph");
}
#endif
/* Answers TEST_EXT_COUNTER; a host must not call it on an old-minor instance (its struct_size
 * ends before this field). */
static const void* get_extension(const rbee_plugin* plugin, const char* id) {
  (void)plugin;
  return strcmp(id, TEST_EXT_COUNTER) == 0 ? &k_counter : NULL;
}

/* What every plugin checks before it makes an instance: the host's major, the base tables it
 * uses, and each extension it needs, naming the host version that would do. */
static rbee_status check_host(const rbee_host* host, rbee_error* err) {
  if (host == NULL || host->struct_size < sizeof(rbee_host) || host->abi_major != RBEE_ABI_MAJOR)
    return rbee_fail(err, RBEE_ERROR_ABI, "needs an rbee host of ABI %d.x", RBEE_ABI_MAJOR);
  if (host->source == NULL || host->graph == NULL || host->graph->struct_size < sizeof(rbee_graph_api))
    return rbee_fail(err, RBEE_ERROR_ABI, "the host lacks the base tables of ABI %d.0", RBEE_ABI_MAJOR);
#ifdef PLUGIN_NEEDS_EXTENSION
  if (host->get_extension(host, PLUGIN_NEEDS_EXTENSION) == NULL)
    return rbee_fail(err, RBEE_ERROR_ABI,
                     "needs the host extension " PLUGIN_NEEDS_EXTENSION " (rbee ABI %d.%d or later); this host is %s %s "
                     "with ABI %u.%u",
                     RBEE_ABI_MAJOR, PLUGIN_NEEDS_MINOR, host->name, host->version, host->abi_major, host->abi_minor);
#endif
  return RBEE_OK;
}

static rbee_status create_plugin(const rbee_host* host, const rbee_plugin** out, rbee_error* err) {
#ifdef PLUGIN_ABORTS_IN_CREATE_PLUGIN
  abort();
#endif
  rbee_status status = check_host(host, err);
  if (status != RBEE_OK) return status;
  if (k_returns_null) {
    *out = NULL;
    return RBEE_OK;
  }
  instance* self = calloc(1, sizeof *self);
  if (self == NULL) return rbee_fail(err, RBEE_ERROR_OUT_OF_MEMORY, "out of memory");
  self->host = host;
  self->plugin = (rbee_plugin){
#ifdef PLUGIN_OLD_MINOR
      .struct_size = offsetof(rbee_plugin, get_extension),
#else
      .struct_size = sizeof(rbee_plugin),
#endif
      .plugin_data = self,
      .destroy = destroy,
      .create_model = create_model,
      .destroy_model = destroy_model,
      .model_info = model_info,
      .kv_layout = kv_layout,
      .describe = NULL,
      .build_graph = build_graph,
      .get_extension = get_extension,
  };
  host->log(host, RBEE_LOG_INFO, "created");
  *out = &self->plugin;
  return RBEE_OK;
}

#if defined(PLUGIN_GARBAGE_ENTRY)
#define PLUGIN_ARCHITECTURES ((const char* const*)(uintptr_t)0x10) /* unmapped: reading it faults */
#elif defined(PLUGIN_HAS_MODELS)
static const char* const k_architectures[] = {"testarch", "llama", NULL};
#define PLUGIN_ARCHITECTURES k_architectures
#else
static const char* const k_architectures[] = {"testarch", NULL};
#define PLUGIN_ARCHITECTURES k_architectures
#endif

RBEE_EXPORT const rbee_plugin_entry rbee_entry = {
    .struct_size = sizeof(rbee_plugin_entry),
    .abi_major = PLUGIN_ABI_MAJOR,
    .abi_minor = PLUGIN_ABI_MINOR,
    .name = PLUGIN_NAME,
    .version = "1.2.3",
    .description = "a plugin for test_plugin_host",
    .priority = PLUGIN_PRIORITY,
    .architectures = PLUGIN_ARCHITECTURES,
    .init = init,
    .deinit = deinit,
    .create_plugin = create_plugin,
};
