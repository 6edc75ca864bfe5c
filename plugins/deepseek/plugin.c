/* Entry point and descriptor of the deepseek plugin. */
#include <stdlib.h>

#include "deepseek.h"

RBEE_PLUGIN_HOST(deepseek_host)

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
  if (!RBEE_HAS_FIELD(out, rbee_kv_layout, values_in_keys)) return RBEE_ERROR_UNSUPPORTED;
  out->n_kv_heads = 1;
  out->head_dim_k = m->kv_lora_rank + m->qk_rope;
  out->head_dim_v = m->kv_lora_rank;
  out->sliding_window = 0;
  out->values_in_keys = 1;
  return RBEE_OK;
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
    .init = rbee_plugin_init,
    .shutdown = rbee_plugin_shutdown,
    .create_model = create_model,
    .destroy_model = destroy_model,
    .model_info = model_info,
    .kv_layout = kv_layout,
    .describe = deepseek_describe,
    .build_graph = deepseek_build_graph,
    .get_extension = NULL,
};

RBEE_PLUGIN_ENTRY(k_plugin)
