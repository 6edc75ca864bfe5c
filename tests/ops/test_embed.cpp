// embed: rows of an F32, F16 or BF16 table picked by token ids, copied exactly.
#include "ops/op_harness.hpp"

namespace rbee::test {
namespace {

struct EmbedCase {
  DType dtype;
  uint32_t vocab, dim, n_tokens;
};

class EmbedTest : public ::testing::TestWithParam<EmbedCase> {};

// F16/BF16 tables with an odd number of elements (f16_vocab9_dim65, *_vocab7_dim3,
// *_vocab5_dim1) end in a half-filled 32-bit word that the shader must still read.
TEST_P(EmbedTest, PicksRowsExactly) {
  const EmbedCase c = GetParam();
  OpHarness h;
  std::vector<float> table =
      h.source().add("table", c.dtype, {c.vocab, c.dim}, random_values(size_t(c.vocab) * c.dim, 11 + c.dim));
  auto cg = h.compile(c.n_tokens, [&](const rbee_graph_api& api, rbee_graph* g) {
    return api.embed(g, api.weight(g, "table"), api.input_tokens(g));
  });
  std::vector<int32_t> ids = scrambled_ids(c.n_tokens, c.vocab);
  EXPECT_TRUE(all_near(OpHarness::run(*cg, ids), picked_rows(table, c.dim, ids), 0, 0));
}

std::string name(const ::testing::TestParamInfo<EmbedCase>& i) {
  const char* t = i.param.dtype == DType::F32 ? "f32" : i.param.dtype == DType::F16 ? "f16" : "bf16";
  return std::string(t) + "_vocab" + std::to_string(i.param.vocab) + "_dim" + std::to_string(i.param.dim) + "_tokens" +
         std::to_string(i.param.n_tokens);
}

INSTANTIATE_TEST_SUITE_P(Types, EmbedTest,
                         ::testing::Values(EmbedCase{DType::F32, 5, 1, 1}, EmbedCase{DType::F32, 9, 65, 7},
                                           EmbedCase{DType::F32, 3, 300, 9}, EmbedCase{DType::F16, 5, 1, 3},
                                           EmbedCase{DType::F16, 7, 3, 9}, EmbedCase{DType::F16, 9, 65, 7},
                                           EmbedCase{DType::F16, 4, 1000, 2}, EmbedCase{DType::BF16, 5, 1, 3},
                                           EmbedCase{DType::BF16, 7, 3, 9}, EmbedCase{DType::BF16, 9, 130, 64}),
                         name);

}  // namespace
}  // namespace rbee::test
