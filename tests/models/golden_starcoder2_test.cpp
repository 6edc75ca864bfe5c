// The starcoder2 plugin: StarCoder2 against transformers, from safetensors and GGUF.
#include "models/golden_suite.hpp"

namespace rbee::test {

INSTANTIATE_TEST_SUITE_P(StarCoder2, FamilyGolden,
                         testing::Values(GoldenCase{"starcoder2", ""}, GoldenCase{"starcoder2", "model-f32.gguf"}),
                         golden_case_name);

}  // namespace rbee::test
