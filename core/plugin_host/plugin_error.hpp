#pragma once
#include <cstring>
#include <string>

#include "rbee/status.h"

namespace rbee {

// An rbee_error for a call into a plugin: struct_size set, message empty.
inline rbee_error empty_error() {
  rbee_error err{};
  err.struct_size = sizeof err;
  return err;
}

// What a plugin wrote into err, read no further than the buffer even when the plugin forgot the
// terminating NUL; the status's name when it wrote nothing.
inline std::string error_message(const rbee_error& err, rbee_status status) {
  const size_t length = strnlen(err.message, sizeof err.message);
  if (length == 0) return rbee_status_name(status);
  return std::string(err.message, length);
}

}  // namespace rbee
