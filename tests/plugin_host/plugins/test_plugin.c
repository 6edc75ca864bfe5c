/* A configurable plugin for test_plugin_host. Compile definitions pick the case:
 * PLUGIN_NAME (required), PLUGIN_PRIORITY, PLUGIN_ABI_MAJOR, PLUGIN_INIT_FAILS,
 * PLUGIN_RETURNS_NULL, PLUGIN_OLD_MINOR (a descriptor that ends before get_extension). */
#include <stddef.h>
#include <string.h>

#include "rbee/rbee.h"

#ifndef PLUGIN_PRIORITY
#define PLUGIN_PRIORITY 0
#endif
#ifndef PLUGIN_ABI_MAJOR
#define PLUGIN_ABI_MAJOR RBEE_ABI_MAJOR
#endif

static const rbee_host_api* g_host;
static const char* const k_architectures[] = {"testarch", NULL};
static const int k_extension = 42;
#ifdef PLUGIN_RETURNS_NULL
static const int k_refuses = 1;
#else
static const int k_refuses = 0;
#endif

static rbee_status init(const rbee_host_api* host, rbee_error* err) {
#ifdef PLUGIN_INIT_FAILS
  (void)host;
  return rbee_fail(err, RBEE_ERROR_UNSUPPORTED, "needs hardware this test does not have");
#else
  (void)err;
  g_host = host;
  host->log(RBEE_LOG_INFO, PLUGIN_NAME, "init");
  return RBEE_OK;
#endif
}

static void shutdown(void) { g_host->log(RBEE_LOG_INFO, PLUGIN_NAME, "shutdown"); }

static rbee_status create_model(const rbee_source* src, rbee_model** out, rbee_error* err) {
  (void)src;
  (void)out;
  return rbee_fail(err, RBEE_ERROR_UNSUPPORTED, "a test plugin has no models");
}
static void destroy_model(rbee_model* model) { (void)model; }
static rbee_status model_info(const rbee_model* model, rbee_model_info* out) {
  (void)model;
  (void)out;
  return RBEE_ERROR_UNSUPPORTED;
}
static rbee_status kv_layout(const rbee_model* model, uint32_t layer, rbee_kv_layout* out) {
  (void)model;
  (void)layer;
  (void)out;
  return RBEE_ERROR_UNSUPPORTED;
}
static rbee_status build_graph(const rbee_model* model, rbee_graph* graph, rbee_error* err) {
  (void)model;
  (void)graph;
  return rbee_fail(err, RBEE_ERROR_UNSUPPORTED, "a test plugin has no graph");
}
/* Answers "rbee.test/1"; an old-minor host must never call it (its struct_size excludes it). */
static const void* get_extension(const char* id) {
  return strcmp(id, "rbee.test/1") == 0 ? &k_extension : NULL;
}

static const rbee_plugin k_plugin = {
#ifdef PLUGIN_OLD_MINOR
    .struct_size = offsetof(rbee_plugin, get_extension),
#else
    .struct_size = sizeof(rbee_plugin),
#endif
    .abi_major = PLUGIN_ABI_MAJOR,
    .abi_minor = RBEE_ABI_MINOR,
    .name = PLUGIN_NAME,
    .version = "1.2.3",
    .description = "a plugin for test_plugin_host",
    .priority = PLUGIN_PRIORITY,
    .architectures = k_architectures,
    .init = init,
    .shutdown = shutdown,
    .create_model = create_model,
    .destroy_model = destroy_model,
    .model_info = model_info,
    .kv_layout = kv_layout,
    .describe = NULL,
    .build_graph = build_graph,
    .get_extension = get_extension,
};

RBEE_EXPORT const rbee_plugin* rbee_plugin_entry(uint32_t host_abi_major, uint32_t host_abi_minor) {
  (void)host_abi_major;
  (void)host_abi_minor;
  return k_refuses ? NULL : &k_plugin;
}
