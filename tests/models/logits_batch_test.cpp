// The logits of every position of a prompt are one activation per batch: where a batch of them
// would not fit one storage binding (a large vocabulary on a device with a small
// maxStorageBufferRange), Model::eval runs the prompt in smaller batches, with the same result:
// transformers' logits (tests/fixtures/tiny/llama/logits.f32) within the golden suite's 1e-2,
// and those of the unbatched run within float rounding.
#include <gtest/gtest.h>

#include "graph/executor.hpp"
#include "models/model_test_util.hpp"

namespace rbee::test {
namespace {

TEST(AllLogits, BatchesFitOneBinding) {
  const auto path = fixtures() / "tiny" / "llama" / "model-f32.gguf";
  auto golden = nlohmann::json::parse(std::ifstream(fixtures() / "tiny" / "llama" / "golden.json"));
  std::vector<int32_t> ids = golden["input_ids"].get<std::vector<int32_t>>();
  ASSERT_GT(ids.size(), 3u);

  Model whole(runtime(), path, {});
  std::vector<float> want = whole.eval(ids, true);

  ModelOptions options;
  options.context = 64;  // a KV cache layer within the lowered limit too
  KernelConfig k = KernelConfig::for_device(runtime().device().info());
  k.max_binding_bytes = 3 * uint64_t(whole.n_vocab()) * 4;  // three rows of logits
  options.kernels = k;
  Model batched(runtime(), path, options);
  std::vector<float> got = batched.eval(ids, true);
  std::vector<float> reference = read_f32(fixtures() / "tiny" / "llama" / "logits.f32");
  ASSERT_EQ(got.size(), want.size());
  ASSERT_EQ(got.size(), reference.size());
  float worst = 0, worst_reference = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    worst = std::max(worst, std::abs(got[i] - want[i]));
    worst_reference = std::max(worst_reference, std::abs(got[i] - reference[i]));
  }
  EXPECT_LT(worst, 1e-4f) << "against the unbatched run";
  EXPECT_LT(worst_reference, 1e-2f) << "against transformers";
}

}  // namespace
}  // namespace rbee::test
