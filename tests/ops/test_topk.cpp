// Device top-k of the output row (shaders/topk.comp) against a CPU sort: best first, equal
// logits lower id first, across slice boundaries, with ties, -inf entries and k above the row.
#include <algorithm>
#include <cmath>
#include <limits>

#include "ops/op_harness.hpp"

namespace rbee::test {
namespace {

struct TopKCase {
  uint32_t n, k;
  bool ties;  // values drawn from a handful of levels
};

std::vector<TopLogit> cpu_top(const std::vector<float>& row, uint32_t k) {
  std::vector<TopLogit> all;
  for (uint32_t i = 0; i < row.size(); ++i) all.push_back({int32_t(i), row[i]});
  std::stable_sort(all.begin(), all.end(), [](const TopLogit& a, const TopLogit& b) { return a.logit > b.logit; });
  all.resize(std::min<size_t>(k, all.size()));
  return all;
}

class TopKTest : public ::testing::TestWithParam<TopKCase> {};

TEST_P(TopKTest, MatchesCpuSort) {
  const TopKCase c = GetParam();
  std::vector<float> row = random_values(c.n, 11 + c.n, -8.0f, 8.0f);
  if (c.ties)
    for (float& v : row) v = std::round(v / 4.0f);
  if (c.n > 3) row[c.n / 3] = -std::numeric_limits<float>::infinity();
  OpHarness h;
  h.source().add("row", DType::F32, {1, c.n}, row);
  auto cg = h.compile(1, [&](const rbee_graph_api&, rbee_graph* g) { return h.input(g, "row"); }, false, false, c.k);
  std::vector<TopLogit> got = cg->run_top(iota_ids(1), 0);
  std::vector<TopLogit> want = cpu_top(row, c.k);
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].id, want[i].id) << "rank " << i;
    EXPECT_EQ(got[i].logit, want[i].logit) << "rank " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(Rows, TopKTest,
                         ::testing::Values(TopKCase{1, 1, false}, TopKCase{7, 5, false}, TopKCase{7, 64, false},
                                           TopKCase{1000, 1, false}, TopKCase{1025, 40, false},
                                           TopKCase{1025, 40, true}, TopKCase{5000, 64, true},
                                           TopKCase{5000, 1, true}, TopKCase{3000, 17, false}),
                         [](const auto& i) {
                           return "n" + std::to_string(i.param.n) + "_k" + std::to_string(i.param.k) +
                                  (i.param.ties ? "_ties" : "");
                         });

TEST(TopK, RefusesMoreThanTheMaximumOrSeveralRows) {
  OpHarness h;
  h.source().add("rows", DType::F32, {2, 8}, random_values(16, 3));
  auto build = [&](const rbee_graph_api&, rbee_graph* g) { return h.input(g, "rows"); };
  EXPECT_THROW(h.compile(1, build, false, false, CompiledGraph::kMaxTopK + 1), std::runtime_error);
  EXPECT_THROW(h.compile(2, build, true, false, 4), std::runtime_error);
}

}  // namespace
}  // namespace rbee::test
