#pragma once
// The parameterized suites every model family instantiates in its own file:
//  - FamilyGolden: a tests/fixtures/tiny folder against transformers (logits at every position
//    within 1e-2, greedy continuation equal), from safetensors or one of its GGUF files;
//  - TinyQuant: a ../shared/fixtures/tiny-quant file against the float reference of that file.
#include <gtest/gtest.h>

#include <string>

#include "graph/kv_cache.hpp"

namespace rbee::test {

struct GoldenCase {
  std::string family;
  std::string file;  // "" = the folder (safetensors)
  KvType kv = KvType::F16;
};
std::string golden_case_name(const testing::TestParamInfo<GoldenCase>& info);
class FamilyGolden : public testing::TestWithParam<GoldenCase> {};

struct QuantCase {
  std::string family;
  std::string type;  // file suffix: q8_0, q4_k_m, ...
};
std::string quant_case_name(const testing::TestParamInfo<QuantCase>& info);
// Every type llama-quantize made for the tiny-quant folders.
std::vector<QuantCase> quant_cases(const std::string& family);
class TinyQuant : public testing::TestWithParam<QuantCase> {};

}  // namespace rbee::test
