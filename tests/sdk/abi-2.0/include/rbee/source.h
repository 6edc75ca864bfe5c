/* Read access to the model being loaded: its metadata and the names, types and shapes of its
 * tensors. The host owns the source; the plugin sees it only during create_model() and must
 * copy what it keeps (strings returned here live as long as the source, which outlives the
 * create_model call but not necessarily the model).
 *
 * Every function takes the source as its context pointer. Frozen at ABI 2.0: later additions
 * come as extensions (rbee_host.get_extension).
 *
 * Thread: any thread; the functions do not modify the source. */
#ifndef RBEE_SOURCE_H
#define RBEE_SOURCE_H

#include <stdint.h>

#include "rbee/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rbee_source rbee_source; /* opaque, owned by the host */

typedef uint32_t rbee_format;
enum {
  RBEE_FORMAT_GGUF = 1,       /* keys: GGUF metadata keys, e.g. "llama.block_count" */
  RBEE_FORMAT_SAFETENSORS = 2 /* keys: config.json, nested objects joined by '.', e.g. "rope_scaling.factor" */
};

/* Element types; the values equal GGML's type ids. */
typedef uint32_t rbee_dtype;
enum {
  RBEE_DTYPE_F32 = 0,
  RBEE_DTYPE_F16 = 1,
  RBEE_DTYPE_Q4_0 = 2,
  RBEE_DTYPE_Q4_1 = 3,
  RBEE_DTYPE_Q5_0 = 6,
  RBEE_DTYPE_Q5_1 = 7,
  RBEE_DTYPE_Q8_0 = 8,
  RBEE_DTYPE_Q2_K = 10,
  RBEE_DTYPE_Q3_K = 11,
  RBEE_DTYPE_Q4_K = 12,
  RBEE_DTYPE_Q5_K = 13,
  RBEE_DTYPE_Q6_K = 14,
  RBEE_DTYPE_IQ4_NL = 20,
  RBEE_DTYPE_BF16 = 30,
  RBEE_DTYPE_MXFP4 = 39
};

#define RBEE_MAX_DIMS 4
typedef struct rbee_tensor_info {
  uint32_t struct_size;
  uint32_t dtype;  /* rbee_dtype */
  uint32_t n_dims;
  uint64_t shape[RBEE_MAX_DIMS]; /* row-major, outermost first: a linear weight is [out, in] */
} rbee_tensor_info;

typedef struct rbee_source_api {
  uint32_t struct_size;

  rbee_format (*format)(const rbee_source* src);

  /* Scalars. NOT_FOUND when absent (or JSON null), TYPE_MISMATCH when of another kind.
   * get_float accepts integers; get_int accepts floats with an integral value. */
  rbee_status (*get_int)(const rbee_source* src, const char* key, int64_t* out);
  rbee_status (*get_float)(const rbee_source* src, const char* key, double* out);
  rbee_status (*get_bool)(const rbee_source* src, const char* key, uint32_t* out);
  /* *out is NUL-terminated and owned by the source. */
  rbee_status (*get_string)(const rbee_source* src, const char* key, const char** out);

  /* Arrays of numbers. An index past the end gives RBEE_ERROR_INVALID_ARGUMENT. */
  rbee_status (*get_array_len)(const rbee_source* src, const char* key, uint64_t* out);
  rbee_status (*get_array_float)(const rbee_source* src, const char* key, uint64_t index, double* out);

  /* Tensors by their name in the file. NOT_FOUND when absent. */
  rbee_status (*tensor_info)(const rbee_source* src, const char* name, rbee_tensor_info* out);

  /* An element of an array of strings (config.json's layer_types); *out is owned by the source. */
  rbee_status (*get_array_string)(const rbee_source* src, const char* key, uint64_t index, const char** out);
} rbee_source_api;

#ifdef __cplusplus
}
#endif
#endif
