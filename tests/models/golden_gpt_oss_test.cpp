// The gpt_oss plugin: gpt-oss against transformers, from safetensors and GGUF: attention sinks,
// alternating sliding-window and full layers, biased attention and router, experts with biases
// and the clamped SwiGLU, YaRN with truncate false (llama.cpp, which rounds its range, drifts
// 0.45 from these logits; rbee matches them within 1e-2).
#include "models/golden_suite.hpp"

namespace rbee::test {

INSTANTIATE_TEST_SUITE_P(GptOss, FamilyGolden,
                         testing::Values(GoldenCase{"gpt_oss", ""}, GoldenCase{"gpt_oss", "model-f32.gguf"}),
                         golden_case_name);

}  // namespace rbee::test
