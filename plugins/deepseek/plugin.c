/* Entry point and descriptor of the deepseek plugin. */
#include <stddef.h>
#include <stdlib.h>

#include "deepseek.h"

const rbee_host_api* deepseek_host = NULL;

static rbee_status init(const rbee_host_api* host, rbee_error* err) {
  RBEE_TRY(rbee_check_host(host, err));
  deepseek_host = host;
  return RBEE_OK;
}

static void shutdown(void) { deepseek_host = NULL; }

static void destroy_model(rbee_model* m) { free(m); }

static rbee_status create_model(const rbee_source* src, rbee_model** out, rbee_error* err) {
  deepseek_model* m = calloc(1, sizeof *m);
  if (m == NULL) return rbee_fail(err, RBEE_ERROR_OUT_OF_MEMORY, "out of memory");
  rbee_status s = deepseek_read_hparams(src, m, err);
  if (s != RBEE_OK) {
    destroy_model(m);
    return s;
  }
  *out = m;
  return RBEE_OK;
}

static rbee_status model_info(const rbee_model* m, rbee_model_info* out) {
  out->n_vocab = m->n_vocab;
  out->n_layers = m->n_layer;
  out->n_ctx_train = m->n_ctx_train;
  return RBEE_OK;
}

/* One cached row per token: the latent (r) and the shared rotary key (dr); the values are the
 * latent, read from the keys. A host whose layout has no values_in_keys (older than ABI 1.1)
 * cannot run this model. */
static rbee_status kv_layout(const rbee_model* m, uint32_t layer, rbee_kv_layout* out) {
  if (layer >= m->n_layer) return RBEE_ERROR_INVALID_ARGUMENT;
  if (out->struct_size < offsetof(rbee_kv_layout, values_in_keys) + sizeof(uint32_t)) return RBEE_ERROR_UNSUPPORTED;
  out->n_kv_heads = 1;
  out->head_dim_k = m->kv_lora_rank + m->qk_rope;
  out->head_dim_v = m->kv_lora_rank;
  out->sliding_window = 0;
  out->values_in_keys = 1;
  return RBEE_OK;
}

static rbee_status build_graph(const rbee_model* m, rbee_graph* g, rbee_error* err) { return deepseek_build_graph(m, g, err); }
static rbee_status describe(const rbee_model* m, rbee_describe_fn emit, void* ctx) { return deepseek_describe(m, emit, ctx); }
static const void* get_extension(const char* id) {
  (void)id;
  return NULL;
}

static const char* const k_architectures[] = {"deepseek2", "deepseek_v2", "deepseek_v3", "kimi_k2", NULL};

static const rbee_plugin k_plugin = {
    .struct_size = sizeof(rbee_plugin),
    .abi_major = RBEE_ABI_MAJOR,
    .abi_minor = RBEE_ABI_MINOR,
    .name = "deepseek",
    .version = "0.1.0",
    .description = "DeepSeek-V2, DeepSeek-V3/R1 and Kimi K2: multi-head latent attention and experts (GGUF and Hugging Face safetensors)",
    .priority = 0,
    .architectures = k_architectures,
    .init = init,
    .shutdown = shutdown,
    .create_model = create_model,
    .destroy_model = destroy_model,
    .model_info = model_info,
    .kv_layout = kv_layout,
    .describe = describe,
    .build_graph = build_graph,
    .get_extension = get_extension,
};

RBEE_EXPORT const rbee_plugin* rbee_plugin_entry(uint32_t host_abi_major, uint32_t host_abi_minor) {
  /* The host compares versions and explains a mismatch; the first fields never move. */
  (void)host_abi_major;
  (void)host_abi_minor;
  return &k_plugin;
}
