#pragma once
#include "formats/model_source.hpp"
#include "rbee/source.h"

namespace rbee {

// The host's rbee_source_api, reading a ModelSource's metadata and tensor table. Static storage.
// No exception leaves these functions; a NULL argument gives RBEE_ERROR_INVALID_ARGUMENT.
const rbee_source_api* source_api();

// The handle a plugin receives for a source (and back). The source must outlive the handle's use.
inline const rbee_source* to_handle(const ModelSource& source) {
  return reinterpret_cast<const rbee_source*>(&source);
}
inline const ModelSource& from_handle(const rbee_source* source) {
  return *reinterpret_cast<const ModelSource*>(source);
}

}  // namespace rbee
