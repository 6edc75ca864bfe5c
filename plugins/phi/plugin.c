/* Entry point and descriptor of the phi plugin. */
#include <stdlib.h>

#include "phi.h"

RBEE_PLUGIN_HOST(phi_host)

static rbee_status create_model(const rbee_source* src, rbee_model** out, rbee_error* err) {
  phi_model* m = calloc(1, sizeof *m);
  if (m == NULL) return rbee_fail(err, RBEE_ERROR_OUT_OF_MEMORY, "out of memory");
  rbee_status s = phi_read_hparams(src, m, err);
  if (s != RBEE_OK) {
    phi_free_hparams(m);
    free(m);
    return s;
  }
  *out = m;
  return RBEE_OK;
}

static void destroy_model(rbee_model* m) {
  phi_free_hparams(m);
  free(m);
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
  /* Written only where the host's struct has the field (ABI 1.1). */
  if (RBEE_HAS_FIELD(out, rbee_kv_layout, sliding_window)) out->sliding_window = m->sliding_window;
  return RBEE_OK;
}

static const char* const k_architectures[] = {"phi2", "phi", "phi3", NULL};

static const rbee_plugin k_plugin = {
    .struct_size = sizeof(rbee_plugin),
    .abi_major = RBEE_ABI_MAJOR,
    .abi_minor = RBEE_ABI_MINOR,
    .name = "phi",
    .version = "0.1.0",
    .description = "Phi-2 and Phi-3 (GGUF and Hugging Face safetensors)",
    .priority = 0,
    .architectures = k_architectures,
    .init = rbee_plugin_init,
    .shutdown = rbee_plugin_shutdown,
    .create_model = create_model,
    .destroy_model = destroy_model,
    .model_info = model_info,
    .kv_layout = kv_layout,
    .describe = phi_describe,
    .build_graph = phi_build_graph,
    .get_extension = NULL,
};

RBEE_PLUGIN_ENTRY(k_plugin)
