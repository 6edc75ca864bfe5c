#include "plugin_host/source_api.hpp"

#include <cmath>
#include <cstring>
#include <limits>

namespace rbee {

namespace {

using nlohmann::json;

// Runs body with the value at key, or returns NOT_FOUND when it is absent or null.
template <typename Body>
rbee_status with_value(const rbee_source* src, const char* key, const void* out, Body body) noexcept {
  if (src == nullptr || key == nullptr || out == nullptr) return RBEE_ERROR_INVALID_ARGUMENT;
  try {
    const json* value = from_handle(src).meta(key);
    if (value == nullptr || value->is_null()) return RBEE_ERROR_NOT_FOUND;
    return body(*value);
  } catch (const std::bad_alloc&) {
    return RBEE_ERROR_OUT_OF_MEMORY;
  } catch (...) {
    return RBEE_ERROR_INTERNAL;
  }
}

rbee_status to_double(const json& v, double* out) noexcept {
  if (!v.is_number()) return RBEE_ERROR_TYPE_MISMATCH;
  *out = v.get<double>();
  return RBEE_OK;
}

// 0 (no format) for a NULL source.
rbee_format format(const rbee_source* src) noexcept {
  if (src == nullptr) return 0;
  return from_handle(src).format() == ModelSource::Format::Gguf ? RBEE_FORMAT_GGUF
                                                                 : RBEE_FORMAT_SAFETENSORS;
}

rbee_status get_int(const rbee_source* src, const char* key, int64_t* out) noexcept {
  return with_value(src, key, out, [&](const json& v) -> rbee_status {
    if (v.is_number_unsigned()) {
      const auto u = v.get<uint64_t>();
      if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return RBEE_ERROR_TYPE_MISMATCH;
      *out = static_cast<int64_t>(u);
    } else if (v.is_number_integer()) {
      *out = v.get<int64_t>();
    } else if (v.is_number_float()) {
      // Only whole values that fit: 2^63 itself is representable as a double but not as int64.
      const double d = v.get<double>();
      if (d != std::floor(d) || !(d >= -0x1p63 && d < 0x1p63)) return RBEE_ERROR_TYPE_MISMATCH;
      *out = static_cast<int64_t>(d);
    } else {
      return RBEE_ERROR_TYPE_MISMATCH;
    }
    return RBEE_OK;
  });
}

rbee_status get_float(const rbee_source* src, const char* key, double* out) noexcept {
  return with_value(src, key, out, [&](const json& v) -> rbee_status { return to_double(v, out); });
}

rbee_status get_bool(const rbee_source* src, const char* key, uint32_t* out) noexcept {
  return with_value(src, key, out, [&](const json& v) -> rbee_status {
    if (!v.is_boolean()) return RBEE_ERROR_TYPE_MISMATCH;
    *out = v.get<bool>() ? 1 : 0;
    return RBEE_OK;
  });
}

rbee_status get_string(const rbee_source* src, const char* key, const char** out) noexcept {
  return with_value(src, key, out, [&](const json& v) -> rbee_status {
    if (!v.is_string()) return RBEE_ERROR_TYPE_MISMATCH;
    *out = v.get_ref<const std::string&>().c_str();  // lives in the source's metadata
    return RBEE_OK;
  });
}

rbee_status get_array_len(const rbee_source* src, const char* key, uint64_t* out) noexcept {
  return with_value(src, key, out, [&](const json& v) -> rbee_status {
    if (!v.is_array()) return RBEE_ERROR_TYPE_MISMATCH;
    *out = v.size();
    return RBEE_OK;
  });
}

rbee_status get_array_float(const rbee_source* src, const char* key, uint64_t index, double* out) noexcept {
  return with_value(src, key, out, [&](const json& v) -> rbee_status {
    if (!v.is_array()) return RBEE_ERROR_TYPE_MISMATCH;
    if (index >= v.size()) return RBEE_ERROR_INVALID_ARGUMENT;
    return to_double(v[index], out);
  });
}

rbee_status get_array_string(const rbee_source* src, const char* key, uint64_t index, const char** out) noexcept {
  return with_value(src, key, out, [&](const json& v) -> rbee_status {
    if (!v.is_array()) return RBEE_ERROR_TYPE_MISMATCH;
    if (index >= v.size()) return RBEE_ERROR_INVALID_ARGUMENT;
    if (!v[index].is_string()) return RBEE_ERROR_TYPE_MISMATCH;
    *out = v[index].get_ref<const std::string&>().c_str();
    return RBEE_OK;
  });
}

// Writes only the part of *out that the caller's struct_size covers.
rbee_status tensor_info(const rbee_source* src, const char* name, rbee_tensor_info* out) noexcept {
  if (src == nullptr || name == nullptr || out == nullptr || out->struct_size < sizeof(uint32_t))
    return RBEE_ERROR_INVALID_ARGUMENT;
  try {
    const TensorView* t = from_handle(src).tensor(name);
    if (t == nullptr) return RBEE_ERROR_NOT_FOUND;
    if (t->shape.size() > RBEE_MAX_DIMS) return RBEE_ERROR_UNSUPPORTED;
    rbee_tensor_info info{};
    info.struct_size = out->struct_size;
    info.dtype = static_cast<uint32_t>(t->dtype);
    info.n_dims = static_cast<uint32_t>(t->shape.size());
    std::copy(t->shape.begin(), t->shape.end(), info.shape);
    std::memcpy(out, &info, std::min<size_t>(out->struct_size, sizeof info));
    return RBEE_OK;
  } catch (...) {
    return RBEE_ERROR_INTERNAL;
  }
}

const rbee_source_api kSourceApi = {
    .struct_size = sizeof(rbee_source_api),
    .format = format,
    .get_int = get_int,
    .get_float = get_float,
    .get_bool = get_bool,
    .get_string = get_string,
    .get_array_len = get_array_len,
    .get_array_float = get_array_float,
    .tensor_info = tensor_info,
    .get_array_string = get_array_string,
};

}  // namespace

const rbee_source_api* source_api() { return &kSourceApi; }

}  // namespace rbee
