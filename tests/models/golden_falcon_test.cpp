// The falcon plugin: Falcon with the new decoder architecture (ln_attn and ln_mlp, 2 KV heads)
// against transformers. The safetensors folder keeps query_key_value grouped per KV head
// ([q, q, k, v] per group); llama.cpp's converter reordered the GGUF's rows to [all q; all k;
// all v]: both must give the same model.
#include "models/golden_suite.hpp"

namespace rbee::test {

INSTANTIATE_TEST_SUITE_P(Falcon, FamilyGolden,
                         testing::Values(GoldenCase{"falcon", ""}, GoldenCase{"falcon", "model-f32.gguf"}),
                         golden_case_name);

}  // namespace rbee::test
