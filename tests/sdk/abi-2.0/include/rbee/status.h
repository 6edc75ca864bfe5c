/* Errors, on both sides of the ABI: one convention.
 *
 * Every function that can fail returns an rbee_status and takes an rbee_error* that the caller
 * owns; on failure the callee writes a NUL-terminated message there (truncated to fit). Graph
 * operations are the one shape of call that returns a value instead (a tensor handle): the graph
 * itself is their rbee_error (see graph.h). No C++ exception, abort() or exit() ever crosses the
 * boundary.
 *
 * Integers that cross the boundary have fixed widths: the enumerations below are values of
 * int32_t/uint32_t typedefs, never C enum types (whose size is implementation-defined). */
#ifndef RBEE_STATUS_H
#define RBEE_STATUS_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef int32_t rbee_status;
enum {
  RBEE_OK = 0,
  RBEE_ERROR_INVALID_ARGUMENT = 1, /* a caller passed something the callee cannot use */
  RBEE_ERROR_NOT_FOUND = 2,        /* a key, tensor or extension does not exist */
  RBEE_ERROR_TYPE_MISMATCH = 3,    /* it exists but has another type */
  RBEE_ERROR_UNSUPPORTED = 4,      /* valid, but this plugin/host cannot do it */
  RBEE_ERROR_BAD_MODEL = 5,        /* the model file contradicts itself or lacks something */
  RBEE_ERROR_OUT_OF_MEMORY = 6,    /* host or device memory exhausted */
  RBEE_ERROR_DEVICE = 7,           /* the GPU/Vulkan layer failed */
  RBEE_ERROR_ABI = 8,              /* version or extension negotiation failed */
  RBEE_ERROR_INTERNAL = 9          /* a bug: please report it */
};

/* Room for one error message; owned by the caller of the function that receives it. */
#define RBEE_ERROR_MESSAGE_MAX 512
typedef struct rbee_error {
  uint32_t struct_size; /* sizeof(rbee_error) as the caller knows it */
  char message[RBEE_ERROR_MESSAGE_MAX];
} rbee_error;

/* Writes a printf-style message into err (err may be NULL) and returns status. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static inline rbee_status rbee_fail(rbee_error* err, rbee_status status, const char* fmt, ...) {
  if (err != NULL) {
    va_list args;
    va_start(args, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, args);
    va_end(args);
  }
  return status;
}

static inline const char* rbee_status_name(rbee_status s) {
  switch (s) {
    case RBEE_OK: return "ok";
    case RBEE_ERROR_INVALID_ARGUMENT: return "invalid argument";
    case RBEE_ERROR_NOT_FOUND: return "not found";
    case RBEE_ERROR_TYPE_MISMATCH: return "type mismatch";
    case RBEE_ERROR_UNSUPPORTED: return "unsupported";
    case RBEE_ERROR_BAD_MODEL: return "bad model";
    case RBEE_ERROR_OUT_OF_MEMORY: return "out of memory";
    case RBEE_ERROR_DEVICE: return "device error";
    case RBEE_ERROR_ABI: return "ABI mismatch";
    case RBEE_ERROR_INTERNAL: return "internal error";
  }
  return "unknown status";
}

#ifdef __cplusplus
}
#endif
#endif
