/* Entry point and descriptor of the Gemma plugin. */
#include <stdlib.h>

#include "gemma.h"

RBEE_PLUGIN_HOST(gemma_host)

static void destroy_model(rbee_model* m) {
  free(m->sliding);
  free(m);
}

static rbee_status create_model(const rbee_source* src, rbee_model** out, rbee_error* err) {
  gemma_model* m = calloc(1, sizeof *m);
  if (m == NULL) return rbee_fail(err, RBEE_ERROR_OUT_OF_MEMORY, "out of memory");
  rbee_status s = gemma_read_hparams(src, m, err);
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

static rbee_status kv_layout(const rbee_model* m, uint32_t layer, rbee_kv_layout* out) {
  if (layer >= m->n_layer) return RBEE_ERROR_INVALID_ARGUMENT;
  out->n_kv_heads = m->n_head_kv;
  out->head_dim_k = m->head_dim;
  out->head_dim_v = m->head_dim;
  /* A host older than ABI 1.1 has no sliding_window field (and no windowed attention). */
  if (RBEE_HAS_FIELD(out, rbee_kv_layout, sliding_window))
    out->sliding_window = m->sliding[layer] ? m->window : 0;
  return RBEE_OK;
}

static const char* const k_architectures[] = {"gemma", "gemma2", "gemma3", "gemma3_text", NULL};

static const rbee_plugin k_plugin = {
    .struct_size = sizeof(rbee_plugin),
    .abi_major = RBEE_ABI_MAJOR,
    .abi_minor = RBEE_ABI_MINOR,
    .name = "gemma",
    .version = "0.1.0",
    .description = "Gemma, Gemma 2 and Gemma 3 text models (GGUF and Hugging Face safetensors)",
    .priority = 0,
    .architectures = k_architectures,
    .init = rbee_plugin_init,
    .shutdown = rbee_plugin_shutdown,
    .create_model = create_model,
    .destroy_model = destroy_model,
    .model_info = model_info,
    .kv_layout = kv_layout,
    .describe = gemma_describe,
    .build_graph = gemma_build_graph,
    .get_extension = NULL,
};

RBEE_PLUGIN_ENTRY(k_plugin)
