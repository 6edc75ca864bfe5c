// output_rows: with all_logits=false only the last row reaches the output (and the ops after
// it run on that one row); with all_logits=true, or a single token, every row.
#include "ops/op_harness.hpp"

namespace rbee::test {
namespace {

TEST(OutputRows, KeepsOnlyTheLastRowThenProjects) {
  for (uint32_t tokens : {2u, 7u, 9u, 64u}) {
    const uint32_t in = 65, out = 7;
    OpHarness h;
    std::vector<float> x = h.source().add("x", DType::F32, {tokens, in}, random_values(size_t(tokens) * in, tokens));
    std::vector<float> w = h.source().add("w", DType::F32, {out, in}, random_values(size_t(out) * in, 99));
    auto cg = h.compile(tokens, [&](const rbee_graph_api& api, rbee_graph* g) {
      return api.linear(g, api.output_rows(g, h.input(g, "x")), api.weight(g, "w"), RBEE_TENSOR_NONE);
    }, /*all_logits=*/false);
    ASSERT_EQ(cg->output_rows(), 1u);
    ASSERT_EQ(cg->output_cols(), out);
    std::vector<float> got = OpHarness::run(*cg, iota_ids(tokens));
    std::vector<double> want, scale;
    for (uint32_t o = 0; o < out; ++o) {
      double s = 0, a = 0;
      for (uint32_t i = 0; i < in; ++i) {
        double p = double(x[size_t(tokens - 1) * in + i]) * w[size_t(o) * in + i];
        s += p;
        a += std::abs(p);
      }
      want.push_back(s);
      scale.push_back(a);
    }
    EXPECT_TRUE(all_near(got, want, 1e-6, 1e-5, &scale)) << tokens << " tokens";
  }
}

TEST(OutputRows, LastRowDirectlyAsOutput) {
  OpHarness h;
  std::vector<float> x = h.source().add("x", DType::F32, {9, 130}, random_values(9 * 130, 5));
  std::vector<float> got = h.eval(9, [&](const rbee_graph_api& api, rbee_graph* g) {
    return api.output_rows(g, h.input(g, "x"));
  }, false);
  EXPECT_TRUE(all_near(got, to_double(std::vector<float>(x.end() - 130, x.end())), 0, 0));
}

TEST(OutputRows, AllRowsWhenAllLogitsOrOneToken) {
  for (auto [tokens, all] : {std::pair{7u, true}, std::pair{1u, false}}) {
    OpHarness h;
    std::vector<float> x = h.source().add("x", DType::F32, {tokens, 33}, random_values(size_t(tokens) * 33, 6));
    std::vector<float> got = h.eval(tokens, [&](const rbee_graph_api& api, rbee_graph* g) {
      return api.output_rows(g, h.input(g, "x"));
    }, all);
    EXPECT_TRUE(all_near(got, to_double(x), 0, 0)) << tokens << " tokens, all_logits " << all;
  }
}

}  // namespace
}  // namespace rbee::test
