// embed of a quantized table (quant::quantize on the CPU): each picked row must equal the CPU
// dequantization bit for bit. Rows of 1, 2 and 3 blocks; an odd vocabulary size.
#include "ops/op_harness.hpp"

namespace rbee::test {
namespace {

struct QEmbedCase {
  DType dtype;
  uint32_t vocab, blocks, n_tokens;
};

class QuantizedEmbedTest : public ::testing::TestWithParam<QEmbedCase> {};

TEST_P(QuantizedEmbedTest, RowsEqualCpuDequantization) {
  const QEmbedCase c = GetParam();
  const uint32_t dim = c.blocks * dtype_traits(static_cast<uint32_t>(c.dtype))->block_elems;
  OpHarness h;
  // Values spanning several magnitudes so that block scales differ from row to row.
  std::vector<float> values = random_values(size_t(c.vocab) * dim, 21 + dim);
  for (size_t i = 0; i < values.size(); ++i) values[i] *= float(1 + (i / 32) % 7) * 0.5f;
  std::vector<float> table = h.source().add_quantized("table", c.dtype, {c.vocab, dim}, values);
  auto cg = h.compile(c.n_tokens, [&](const rbee_graph_api& api, rbee_graph* g) {
    return api.embed(g, api.weight(g, "table"), api.input_tokens(g));
  });
  std::vector<int32_t> ids = scrambled_ids(c.n_tokens, c.vocab);
  EXPECT_TRUE(all_near(OpHarness::run(*cg, ids), picked_rows(table, dim, ids), 0, 0));
}

std::string name(const ::testing::TestParamInfo<QEmbedCase>& i) {
  const QEmbedCase& c = i.param;
  return std::string(dtype_name(c.dtype)) + "_vocab" + std::to_string(c.vocab) + "_blocks" + std::to_string(c.blocks) +
         "_tokens" + std::to_string(c.n_tokens);
}

std::vector<QEmbedCase> cases() {
  std::vector<QEmbedCase> out;
  for (DType t : {DType::Q8_0, DType::Q4_0, DType::Q4_1, DType::Q5_0, DType::Q5_1, DType::Q2_K, DType::Q3_K,
                  DType::Q4_K, DType::Q5_K, DType::Q6_K, DType::IQ4_NL, DType::MXFP4}) {
    out.push_back({t, 5, 1, 1});
    out.push_back({t, 9, 2, 7});
    out.push_back({t, 13, 3, 64});
  }
  return out;
}
INSTANTIATE_TEST_SUITE_P(Types, QuantizedEmbedTest, ::testing::ValuesIn(cases()), name);

}  // namespace
}  // namespace rbee::test
