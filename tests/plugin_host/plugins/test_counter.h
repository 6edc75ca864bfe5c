/* Extension "rbee.test.counter/1" of the test plugins: lets test_plugin_host see how often the
 * library's init() ran without a matching deinit(), and log through one instance's own host. */
#ifndef RBEE_TEST_COUNTER_H
#define RBEE_TEST_COUNTER_H

#include <stdint.h>

#include "rbee/plugin.h"

#define TEST_EXT_COUNTER "rbee.test.counter/1"

typedef struct test_counter_api {
  uint32_t struct_size;
  /* init() calls minus deinit() calls so far, for the whole library. */
  int32_t (*live_inits)(void);
  /* Logs message at info level through the host the instance was created for. */
  void (*log)(const rbee_plugin* plugin, const char* message);
} test_counter_api;

#endif
