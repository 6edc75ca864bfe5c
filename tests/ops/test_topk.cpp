// Device top-k of each output row (shaders/topk.comp) against a CPU sort: best first, equal
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

// Three rows of different values, each with its own top-k.
TEST_P(TopKTest, MatchesCpuSortPerRow) {
  const TopKCase c = GetParam();
  constexpr uint32_t kRows = 3;
  std::vector<float> table = random_values(kRows * c.n, 11 + c.n, -8.0f, 8.0f);
  if (c.ties)
    for (float& v : table) v = std::round(v / 4.0f);
  if (c.n > 3)
    for (uint32_t r = 0; r < kRows; ++r) table[r * c.n + (c.n / 3 + r) % c.n] = -std::numeric_limits<float>::infinity();
  OpHarness h;
  h.source().add("rows", DType::F32, {kRows, c.n}, table);
  auto cg = h.compile(kRows, [&](const rbee_graph_api&, rbee_graph* g) { return h.input(g, "rows"); }, true, false, c.k);
  const BatchSegment all{.slot = 0, .position = 0, .count = kRows};
  std::vector<std::vector<TopLogit>> got = cg->run_top(iota_ids(kRows), std::span(&all, 1));
  ASSERT_EQ(got.size(), kRows);
  for (uint32_t r = 0; r < kRows; ++r) {
    std::vector<TopLogit> want = cpu_top(std::vector<float>(table.begin() + r * c.n, table.begin() + (r + 1) * c.n), c.k);
    ASSERT_EQ(got[r].size(), want.size()) << "row " << r;
    for (size_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ(got[r][i].id, want[i].id) << "row " << r << " rank " << i;
      EXPECT_EQ(got[r][i].logit, want[i].logit) << "row " << r << " rank " << i;
    }
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

TEST(TopK, RefusesMoreThanTheMaximum) {
  OpHarness h;
  h.source().add("rows", DType::F32, {2, 8}, random_values(16, 3));
  auto build = [&](const rbee_graph_api&, rbee_graph* g) { return h.input(g, "rows"); };
  EXPECT_THROW(h.compile(1, build, false, false, CompiledGraph::kMaxTopK + 1), std::runtime_error);
}

}  // namespace
}  // namespace rbee::test
