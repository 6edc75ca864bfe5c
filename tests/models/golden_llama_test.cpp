// The llama plugin's families: Llama 1/2/3, Mistral, Mixtral, SmolLM3.
#include "models/golden_suite.hpp"

namespace rbee::test {

INSTANTIATE_TEST_SUITE_P(Llama, FamilyGolden,
                         testing::Values(GoldenCase{"llama", ""}, GoldenCase{"llama", "model-f32.gguf"},
                                         GoldenCase{"llama", "model-f16.gguf"}, GoldenCase{"llama", "model-bf16.gguf"},
                                         GoldenCase{"llama", "model-f32.gguf", KvType::F32}, GoldenCase{"llama3", ""},
                                         GoldenCase{"llama3", "model-f32.gguf"}, GoldenCase{"mistral", ""},
                                         GoldenCase{"mistral", "model-f32.gguf"}, GoldenCase{"llama_bf16", ""},
                                         GoldenCase{"llama_bf16", "model-f32.gguf"}, GoldenCase{"smollm3", ""},
                                         GoldenCase{"smollm3", "model-f32.gguf"}, GoldenCase{"mixtral", ""},
                                         GoldenCase{"mixtral", "model-f32.gguf"}, GoldenCase{"mixtral", "model-f16.gguf"},
                                         GoldenCase{"mixtral", "model-bf16.gguf"}, GoldenCase{"mixtral_sharded", ""},
                                         GoldenCase{"mixtral_sharded", "model-f32.gguf"}),
                         golden_case_name);

INSTANTIATE_TEST_SUITE_P(Llama, TinyQuant, testing::ValuesIn(quant_cases("llama")), quant_case_name);
INSTANTIATE_TEST_SUITE_P(Mixtral, TinyQuant, testing::ValuesIn(quant_cases("mixtral")), quant_case_name);

}  // namespace rbee::test
