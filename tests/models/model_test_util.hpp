#pragma once
#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

#include "engine/runtime.hpp"

namespace rbee::test {

// One runtime for the whole test binary, with the plugins of this build tree.
inline Runtime& runtime() {
  static Runtime rt([] {
    RuntimeOptions o;
    o.plugin_dirs = {std::filesystem::path(RBEE_BINARY_DIR) / "plugins"};
    return o;
  }());
  return rt;
}

// A raw little-endian float32 file.
inline std::vector<float> read_f32(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<float> v(bytes.size() / 4);
  std::memcpy(v.data(), bytes.data(), v.size() * 4);
  return v;
}

}  // namespace rbee::test
