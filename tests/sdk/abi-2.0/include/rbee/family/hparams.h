/* Family helpers (header-only, compiled into the plugin; not part of the ABI): hyperparameters.
 *
 * A reader over the host's source: GGUF keys are read as "<general.architecture>.<name>",
 * config.json keys as "<name>" (nested objects joined by '.'). Errors name the full key. Most
 * hyperparameters come from a table of (GGUF key, HF key, default, required) rows read by
 * rbee_hparams_read_table; the functions below it read what a table cannot say. */
#ifndef RBEE_FAMILY_HPARAMS_H
#define RBEE_FAMILY_HPARAMS_H

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "rbee/graph.h"
#include "rbee/source.h"
#include "rbee/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define RBEE_TRY(expr)                \
  do {                                \
    rbee_status rbee_try_ = (expr);   \
    if (rbee_try_ != RBEE_OK) return rbee_try_; \
  } while (0)

/* Hyperparameter reader: GGUF keys are read as "<general.architecture>.<name>", config.json keys
 * as "<name>" (nested objects joined by '.'). Errors name the full key. */
typedef struct rbee_hparams {
  const rbee_source_api* api;
  const rbee_source* src;
  rbee_format format;
  char prefix[64];
  rbee_error* err;
} rbee_hparams;

static inline rbee_status rbee_hparams_open(rbee_hparams* r, const rbee_source_api* api, const rbee_source* src,
                                            rbee_error* err) {
  memset(r, 0, sizeof *r);
  r->api = api;
  r->src = src;
  r->err = err;
  r->format = api->format(src);
  if (r->format == RBEE_FORMAT_GGUF) {
    const char* arch = NULL;
    if (api->get_string(src, "general.architecture", &arch) != RBEE_OK)
      return rbee_fail(err, RBEE_ERROR_BAD_MODEL, "general.architecture: missing");
    if (strlen(arch) + 2 > sizeof r->prefix)
      return rbee_fail(err, RBEE_ERROR_BAD_MODEL, "general.architecture: \"%s\" is too long", arch);
    snprintf(r->prefix, sizeof r->prefix, "%s.", arch);
  }
  return RBEE_OK;
}

static inline const char* rbee_hparams_key(const rbee_hparams* r, const char* name, char* buf, size_t cap) {
  snprintf(buf, cap, "%s%s", r->prefix, name);
  return buf;
}

/* The model's architecture: GGUF's general.architecture or config.json's model_type ("" when
 * absent; the host matched it to the plugin before this), for families of several variants. */
static inline const char* rbee_hparams_architecture(const rbee_hparams* r) {
  const char* arch = "";
  r->api->get_string(r->src, r->format == RBEE_FORMAT_GGUF ? "general.architecture" : "model_type", &arch);
  return arch;
}

/* 1 when the key is present (and not null). Any getter tells absence from another type; the
 * array one is used since no scalar is an array. */
static inline int rbee_hparams_has(const rbee_hparams* r, const char* name) {
  char k[160];
  uint64_t n;
  return r->api->get_array_len(r->src, rbee_hparams_key(r, name, k, sizeof k), &n) != RBEE_ERROR_NOT_FOUND;
}

/* A positive integer. When absent: keeps *out if it is non-zero (a default), else fails. */
static inline rbee_status rbee_hparams_u32(const rbee_hparams* r, const char* name, uint32_t* out) {
  char k[160];
  int64_t v = 0;
  rbee_status s = r->api->get_int(r->src, rbee_hparams_key(r, name, k, sizeof k), &v);
  if (s == RBEE_ERROR_NOT_FOUND && *out != 0) return RBEE_OK;
  if (s != RBEE_OK)
    return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%s: %s", k,
                     s == RBEE_ERROR_NOT_FOUND ? "missing (required)" : "expected an integer");
  if (v <= 0 || v > 0x7fffffff) return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%s: %lld is out of range", k, (long long)v);
  *out = (uint32_t)v;
  return RBEE_OK;
}

/* A count: an integer >= 0, where 0 often means "none" (a sliding window of 0); keeps *out when
 * absent. */
static inline rbee_status rbee_hparams_count(const rbee_hparams* r, const char* name, uint32_t* out) {
  char k[160];
  int64_t v = 0;
  rbee_status s = r->api->get_int(r->src, rbee_hparams_key(r, name, k, sizeof k), &v);
  if (s == RBEE_ERROR_NOT_FOUND) return RBEE_OK;
  if (s != RBEE_OK || v < 0 || v > 0x7fffffff)
    return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%s: expected an integer >= 0", k);
  *out = (uint32_t)v;
  return RBEE_OK;
}

/* Rotated dimensions per head from config.json's "partial_rotary_factor" (default_fraction when
 * absent) as transformers computes them: int(head_dim * factor) in double precision (a float read
 * of 0.7 would round 10 * 0.7 down to 6). */
static inline rbee_status rbee_hparams_partial_rotary(const rbee_hparams* r, uint32_t head_dim, double default_fraction,
                                                      uint32_t* n_rot) {
  double fraction = default_fraction;
  rbee_status s = r->api->get_float(r->src, "partial_rotary_factor", &fraction);
  if (s != RBEE_OK && s != RBEE_ERROR_NOT_FOUND)
    return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "partial_rotary_factor: expected a number");
  if (!(fraction > 0.0 && fraction <= 1.0))
    return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "partial_rotary_factor: %g is not in (0, 1]", fraction);
  *n_rot = (uint32_t)(head_dim * fraction);
  return RBEE_OK;
}

/* A finite number; keeps *out when absent. */
static inline rbee_status rbee_hparams_float(const rbee_hparams* r, const char* name, float* out) {
  char k[160];
  double v = 0;
  rbee_status s = r->api->get_float(r->src, rbee_hparams_key(r, name, k, sizeof k), &v);
  if (s == RBEE_ERROR_NOT_FOUND) return RBEE_OK;
  if (s != RBEE_OK || !isfinite(v)) return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%s: expected a number", k);
  *out = (float)v;
  return RBEE_OK;
}

/* A boolean; keeps *out when absent. */
static inline rbee_status rbee_hparams_bool(const rbee_hparams* r, const char* name, int* out) {
  char k[160];
  uint32_t v = 0;
  rbee_status s = r->api->get_bool(r->src, rbee_hparams_key(r, name, k, sizeof k), &v);
  if (s == RBEE_ERROR_NOT_FOUND) return RBEE_OK;
  if (s == RBEE_OK) *out = v != 0;
  return s == RBEE_OK ? RBEE_OK : rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%s: expected true or false", k);
}

/* A string; keeps *out when absent. */
static inline rbee_status rbee_hparams_string(const rbee_hparams* r, const char* name, const char** out) {
  char k[160];
  rbee_status s = r->api->get_string(r->src, rbee_hparams_key(r, name, k, sizeof k), out);
  if (s == RBEE_ERROR_NOT_FOUND) return RBEE_OK;
  return s == RBEE_OK ? RBEE_OK : rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%s: expected a string", k);
}

/* An array of exactly n numbers into out; RBEE_ERROR_NOT_FOUND (no message) when absent. */
static inline rbee_status rbee_hparams_floats(const rbee_hparams* r, const char* name, float* out, uint32_t n) {
  char k[160];
  uint64_t len = 0;
  rbee_status s = r->api->get_array_len(r->src, rbee_hparams_key(r, name, k, sizeof k), &len);
  if (s == RBEE_ERROR_NOT_FOUND) return s;
  if (s != RBEE_OK) return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%s: expected an array", k);
  if (len != n) return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%s: %llu values, expected %u", k, (unsigned long long)len, n);
  for (uint32_t i = 0; i < n; ++i) {
    double v = 0;
    if (r->api->get_array_float(r->src, k, i, &v) != RBEE_OK || !isfinite(v))
      return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%s[%u]: expected a number", k, i);
    out[i] = (float)v;
  }
  return RBEE_OK;
}

/* Element i of an array of strings; RBEE_ERROR_NOT_FOUND (no message) when the array is absent. */
static inline rbee_status rbee_hparams_string_at(const rbee_hparams* r, const char* name, uint32_t i, const char** out) {
  char k[160];
  uint64_t len = 0;
  rbee_status s = r->api->get_array_len(r->src, rbee_hparams_key(r, name, k, sizeof k), &len);
  if (s == RBEE_ERROR_NOT_FOUND) return s;
  if (s != RBEE_OK || i >= len || r->api->get_array_string(r->src, k, i, out) != RBEE_OK)
    return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%s[%u]: expected a string", k, i);
  return RBEE_OK;
}

/* RoPE scaling of config.json ("rope_scaling": linear or llama3; absent or "default": none) or
 * GGUF ("<arch>.rope.scaling.type": linear or none). Other types are refused naming the key;
 * a family with its own (LongRoPE, YaRN) handles it before calling this. */
static inline rbee_status rbee_hparams_rope_scaling(const rbee_hparams* r, rbee_rope_params* rope) {
  const char* type = NULL;
  if (r->format == RBEE_FORMAT_GGUF) {
    RBEE_TRY(rbee_hparams_string(r, "rope.scaling.type", &type));
    if (type == NULL || !strcmp(type, "none")) return RBEE_OK;
    if (!strcmp(type, "linear")) {
      rope->scaling = RBEE_ROPE_SCALING_LINEAR;
      rope->factor = 1.0f;
      return rbee_hparams_float(r, "rope.scaling.factor", &rope->factor);
    }
    return rbee_fail(r->err, RBEE_ERROR_UNSUPPORTED, "%srope.scaling.type: \"%s\" is not supported", r->prefix, type);
  }
  RBEE_TRY(rbee_hparams_string(r, "rope_scaling.rope_type", &type));
  if (type == NULL) RBEE_TRY(rbee_hparams_string(r, "rope_scaling.type", &type));
  if (type == NULL || !strcmp(type, "default")) return RBEE_OK;
  rope->factor = 1.0f;
  RBEE_TRY(rbee_hparams_float(r, "rope_scaling.factor", &rope->factor));
  if (!(rope->factor > 0)) return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "rope_scaling.factor: must be > 0");
  if (!strcmp(type, "linear")) {
    rope->scaling = RBEE_ROPE_SCALING_LINEAR;
    return RBEE_OK;
  }
  if (!strcmp(type, "llama3")) {
    rope->scaling = RBEE_ROPE_SCALING_LLAMA3;
    rope->low_freq_factor = 1.0f;
    rope->high_freq_factor = 4.0f;
    RBEE_TRY(rbee_hparams_float(r, "rope_scaling.low_freq_factor", &rope->low_freq_factor));
    RBEE_TRY(rbee_hparams_float(r, "rope_scaling.high_freq_factor", &rope->high_freq_factor));
    RBEE_TRY(rbee_hparams_u32(r, "rope_scaling.original_max_position_embeddings", &rope->original_max_positions));
    if (!(rope->high_freq_factor > rope->low_freq_factor))
      return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "rope_scaling: high_freq_factor must exceed low_freq_factor");
    return RBEE_OK;
  }
  return rbee_fail(r->err, RBEE_ERROR_UNSUPPORTED, "rope_scaling.rope_type: \"%s\" is not supported", type);
}

/* One row of a hyperparameter table: the value at `offset` of the model struct. */
typedef enum rbee_hparam_kind {
  RBEE_HP_U32,   /* an integer > 0 (uint32_t) */
  RBEE_HP_COUNT, /* an integer >= 0 (uint32_t), where 0 often means "none" */
  RBEE_HP_F32,   /* a finite number (float) */
  RBEE_HP_BOOL   /* true or false (int) */
} rbee_hparam_kind;

typedef struct rbee_hparam {
  const char* gguf; /* key after "<arch>."; NULL: GGUF has none */
  const char* hf;   /* config.json key; NULL: config.json has none */
  rbee_hparam_kind kind;
  size_t offset;
  double default_value; /* when absent; 0 keeps what the field holds (a value derived later) */
  int required;         /* absent is an error */
} rbee_hparam;

#define RBEE_HP(model_type, kind, field, gguf, hf, default_value, required) \
  {(gguf), (hf), (kind), offsetof(model_type, field), (default_value), (required)}

static inline rbee_status rbee_hparams_read_row(const rbee_hparams* r, const rbee_hparam* row, void* model) {
  const char* key = r->format == RBEE_FORMAT_GGUF ? row->gguf : row->hf;
  if (key == NULL) return RBEE_OK;
  char* field = (char*)model + row->offset;
  if (!rbee_hparams_has(r, key)) {
    char k[160];
    if (row->required)
      return rbee_fail(r->err, RBEE_ERROR_BAD_MODEL, "%s: missing (required)", rbee_hparams_key(r, key, k, sizeof k));
    if (row->default_value == 0) return RBEE_OK;
    switch (row->kind) {
      case RBEE_HP_U32:
      case RBEE_HP_COUNT: *(uint32_t*)field = (uint32_t)row->default_value; break;
      case RBEE_HP_F32: *(float*)field = (float)row->default_value; break;
      case RBEE_HP_BOOL: *(int*)field = row->default_value != 0; break;
    }
    return RBEE_OK;
  }
  switch (row->kind) {
    case RBEE_HP_U32: return rbee_hparams_u32(r, key, (uint32_t*)field);
    case RBEE_HP_COUNT: return rbee_hparams_count(r, key, (uint32_t*)field);
    case RBEE_HP_F32: return rbee_hparams_float(r, key, (float*)field);
    case RBEE_HP_BOOL: return rbee_hparams_bool(r, key, (int*)field);
  }
  return RBEE_OK;
}

/* Reads every row of table into model, in order. */
static inline rbee_status rbee_hparams_read_table(const rbee_hparams* r, const rbee_hparam* table, size_t n_rows,
                                                  void* model) {
  for (size_t i = 0; i < n_rows; ++i) RBEE_TRY(rbee_hparams_read_row(r, &table[i], model));
  return RBEE_OK;
}

/* The name of a RoPE scaling type, for describe(). */
static inline const char* rbee_rope_scaling_name(uint32_t scaling) {
  static const char* const k_names[] = {"none", "linear", "llama3", "yarn"};
  return scaling < sizeof k_names / sizeof k_names[0] ? k_names[scaling] : "unknown";
}

#ifdef __cplusplus
}
#endif
#endif
