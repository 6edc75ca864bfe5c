#pragma once
// Offsets of the fields of a GGUF file, found by walking it, so tests can cut or patch it.
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace rbee::test {

struct GgufLayout {
  uint64_t kv_start = 24;         // first key/value
  uint64_t first_key_len = 24;    // u64 length of the first key
  uint64_t kv_end = 0;            // first tensor info
  uint64_t first_ndims = 0;       // u32 n_dims of the first tensor info
  uint64_t first_offset = 0;      // u64 data offset of the first tensor info
  uint64_t tensor_infos_end = 0;  // end of the tensor infos (before alignment padding)
  uint64_t n_tensors = 0;
};

inline GgufLayout gguf_layout(const std::vector<uint8_t>& b) {
  uint64_t pos = 0;
  auto need = [&](uint64_t n) {
    if (pos + n > b.size()) throw std::runtime_error("gguf_layout: file too short");
  };
  auto u32 = [&] { need(4); uint32_t v; std::memcpy(&v, &b[pos], 4); pos += 4; return v; };
  auto u64 = [&] { need(8); uint64_t v; std::memcpy(&v, &b[pos], 8); pos += 8; return v; };
  auto str = [&] { uint64_t n = u64(); need(n); pos += n; };
  auto scalar_size = [](uint32_t t) -> uint64_t {
    switch (t) {
      case 0: case 1: case 7: return 1;
      case 2: case 3: return 2;
      case 4: case 5: case 6: return 4;
      case 10: case 11: case 12: return 8;
      default: return 0;
    }
  };
  GgufLayout l;
  pos = 8;
  l.n_tensors = u64();
  const uint64_t n_kv = u64();
  for (uint64_t i = 0; i < n_kv; ++i) {
    str();
    uint32_t type = u32();
    if (type == 8) {
      str();
    } else if (type == 9) {
      uint32_t et = u32();
      uint64_t n = u64();
      if (et == 8) for (uint64_t j = 0; j < n; ++j) str();
      else { need(n * scalar_size(et)); pos += n * scalar_size(et); }
    } else {
      need(scalar_size(type));
      pos += scalar_size(type);
    }
  }
  l.kv_end = pos;
  for (uint64_t i = 0; i < l.n_tensors; ++i) {
    str();
    if (i == 0) l.first_ndims = pos;
    uint32_t nd = u32();
    pos += 8ull * nd;
    u32();
    if (i == 0) l.first_offset = pos;
    u64();
  }
  l.tensor_infos_end = pos;
  return l;
}

template <class T>
void patch(std::vector<uint8_t>& b, uint64_t at, T value) {
  std::memcpy(&b[at], &value, sizeof value);
}

}  // namespace rbee::test
