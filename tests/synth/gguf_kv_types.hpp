#pragma once
// The GGUF value type of every metadata key (and an array's element type), read straight from
// the file: GgufSource gives values as JSON, which cannot tell u32 from i32.
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace rbee::test {

struct KvType {
  uint32_t type = 0;
  uint32_t elem = 0;  // arrays only
};

inline std::map<std::string, KvType> gguf_kv_types(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  auto rd = [&](void* p, size_t n) {
    if (!in.read(static_cast<char*>(p), n)) throw std::runtime_error("truncated GGUF");
  };
  auto u32 = [&] { uint32_t v; rd(&v, 4); return v; };
  auto u64 = [&] { uint64_t v; rd(&v, 8); return v; };
  auto str = [&] { std::string s(u64(), '\0'); rd(s.data(), s.size()); return s; };
  const auto size_of = [](uint32_t t) -> uint64_t {
    static const uint64_t sizes[] = {1, 1, 2, 2, 4, 4, 4, 1, 0, 0, 8, 8, 8};
    return t < 13 ? sizes[t] : 0;
  };
  auto skip = [&](uint32_t t) {
    if (t == 8) str();
    else in.seekg(size_of(t), std::ios::cur);
  };
  if (u32() != 0x46554747) throw std::runtime_error("not GGUF");
  u32();
  u64();
  const uint64_t n_kv = u64();
  std::map<std::string, KvType> out;
  for (uint64_t i = 0; i < n_kv; ++i) {
    std::string key = str();
    KvType kv{u32(), 0};
    if (kv.type == 9) {
      kv.elem = u32();
      const uint64_t n = u64();
      for (uint64_t j = 0; j < n; ++j) skip(kv.elem);
    } else {
      skip(kv.type);
    }
    out[key] = kv;
  }
  return out;
}

}  // namespace rbee::test
