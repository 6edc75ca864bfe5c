#pragma once
#include <cstring>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "formats/model_source.hpp"

namespace rbee::test {

// Runs `f` and expects a FormatError whose message contains every one of `parts`.
template <class F>
void expect_format_error(F&& f, std::initializer_list<std::string_view> parts) {
  try {
    f();
    ADD_FAILURE() << "expected a FormatError";
  } catch (const FormatError& e) {
    const std::string msg = e.what();
    for (auto part : parts) EXPECT_NE(msg.find(part), std::string::npos) << msg << "\n  lacks: " << part;
  }
}

// The tensor's values widened to float (F32 and BF16 only; enough for these tests).
inline std::vector<float> to_floats(const TensorView& t) {
  std::vector<float> out(t.elements());
  if (t.dtype == DType::F32) {
    std::memcpy(out.data(), t.data, out.size() * 4);
  } else if (t.dtype == DType::BF16) {
    for (size_t i = 0; i < out.size(); ++i) {
      uint16_t half;
      std::memcpy(&half, t.data + 2 * i, 2);
      const uint32_t bits = uint32_t(half) << 16;
      std::memcpy(&out[i], &bits, 4);
    }
  } else {
    ADD_FAILURE() << t.name << ": to_floats handles F32 and BF16 only";
  }
  return out;
}

}  // namespace rbee::test
