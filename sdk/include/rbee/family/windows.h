/* Family helpers (header-only, compiled into the plugin; not part of the ABI): per-layer sliding
 * windows, for families whose layers mix a sliding window with full attention (Gemma 2 and 3,
 * gpt-oss, Qwen with max_window_layers or layer_types). Which layers slide is the family's rule;
 * config.json's "layer_types", the record of it, the cache layout and the description are here. */
#ifndef RBEE_FAMILY_WINDOWS_H
#define RBEE_FAMILY_WINDOWS_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rbee/family/hparams.h"
#include "rbee/plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rbee_layer_windows {
  uint32_t window;  /* the sliding layers' window */
  uint8_t* sliding; /* per layer: 1 when it attends within the window; NULL: no layer slides */
} rbee_layer_windows;

/* Every layer attending fully, ready for the family to mark the sliding ones. */
static inline rbee_status rbee_layer_windows_init(const rbee_hparams* r, uint32_t n_layer, rbee_layer_windows* w) {
  w->sliding = (uint8_t*)calloc(n_layer ? n_layer : 1, 1);
  return w->sliding ? RBEE_OK : rbee_fail(r->err, RBEE_ERROR_OUT_OF_MEMORY, "out of memory");
}

/* config.json's "layer_types" (transformers 5): "sliding_attention" or "full_attention" for each
 * of the n_layer layers; another kind is refused by name. Call after init, when the key is there. */
static inline rbee_status rbee_layer_windows_read_types(const rbee_hparams* r, uint32_t n_layer, rbee_layer_windows* w) {
  for (uint32_t l = 0; l < n_layer; ++l) {
    const char* type = NULL;
    RBEE_TRY(rbee_hparams_string_at(r, "layer_types", l, &type));
    if (strcmp(type, "sliding_attention") != 0 && strcmp(type, "full_attention") != 0)
      return rbee_fail(r->err, RBEE_ERROR_UNSUPPORTED, "layer_types[%u]: \"%s\" is not supported", l, type);
    w->sliding[l] = strcmp(type, "sliding_attention") == 0;
  }
  return RBEE_OK;
}

/* Layer l's window: 0 for full attention (rbee_kv_layout.sliding_window, rbee_attention_spec.window). */
static inline uint32_t rbee_layer_window(const rbee_layer_windows* w, uint32_t l) {
  return w->sliding && w->sliding[l] ? w->window : 0;
}

/* When a layer slides: "sliding_window" and "layer_pattern", a letter per layer ("SSSSSG...":
 * sliding or global; the first 127 layers). */
static inline void rbee_layer_windows_describe(const rbee_layer_windows* w, uint32_t n_layer, rbee_describe_fn emit,
                                               void* ctx) {
  char pattern[128], window[16];
  size_t n = n_layer < sizeof pattern - 1 ? n_layer : sizeof pattern - 1;
  int any = 0;
  for (size_t l = 0; l < n_layer; ++l) any |= rbee_layer_window(w, (uint32_t)l) != 0;
  if (!any) return;
  for (size_t l = 0; l < n; ++l) pattern[l] = rbee_layer_window(w, (uint32_t)l) ? 'S' : 'G';
  pattern[n] = '\0';
  snprintf(window, sizeof window, "%u", w->window);
  emit(ctx, "sliding_window", window);
  emit(ctx, "layer_pattern", pattern);
}

static inline void rbee_layer_windows_free(rbee_layer_windows* w) {
  free(w->sliding);
  w->sliding = NULL;
}

#ifdef __cplusplus
}
#endif

#endif
