#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <span>
#include <vector>

#include "quant/quant.hpp"

namespace rbee::quant::test {

inline std::vector<uint8_t> read_bytes(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

inline std::vector<uint8_t> encode(DType type, std::span<const float> x) {
  std::vector<uint8_t> q(bytes_for(type, x.size()));
  quantize(type, x, q);
  return q;
}

inline std::vector<float> decode(DType type, std::span<const uint8_t> q, size_t n) {
  std::vector<float> y(n);
  dequantize(type, q, y);
  return y;
}

// RMS of (a - b) relative to the RMS of a (0 when a is all zero and b equals it).
inline double relative_rmse(std::span<const float> a, std::span<const float> b) {
  double err = 0, ref = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    err += (double(a[i]) - b[i]) * (double(a[i]) - b[i]);
    ref += double(a[i]) * a[i];
  }
  return ref > 0 ? std::sqrt(err / ref) : std::sqrt(err);
}

inline bool bit_equal(float a, float b) {
  uint32_t x, y;
  std::memcpy(&x, &a, 4);
  std::memcpy(&y, &b, 4);
  return x == y;
}

}  // namespace rbee::quant::test
