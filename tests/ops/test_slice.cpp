// slice: columns [begin, begin + count) of every row (splitting fused qkv / gate_up outputs),
// at the start, middle and end of rows, single columns and whole rows, and per group of columns
// (per head).
#include "ops/op_harness.hpp"

namespace rbee::test {
namespace {

struct SliceCase {
  uint32_t rows, cols, begin, count;
  uint32_t groups = 1;
};

class SliceTest : public ::testing::TestWithParam<SliceCase> {};

TEST_P(SliceTest, CopiesTheColumns) {
  const SliceCase c = GetParam();
  OpHarness h;
  std::vector<float> x = h.source().add("x", DType::F32, {c.rows, c.cols}, random_values(size_t(c.rows) * c.cols, c.cols));
  std::vector<float> got = h.eval(c.rows, [&](const rbee_graph_api& api, rbee_graph* g) {
    return api.slice(g, h.input(g, "x"), c.groups, c.begin, c.count);
  });
  std::vector<double> want;
  const uint32_t run = c.cols / c.groups;
  for (uint32_t r = 0; r < c.rows; ++r)
    for (uint32_t grp = 0; grp < c.groups; ++grp)
      for (uint32_t i = 0; i < c.count; ++i) want.push_back(x[size_t(r) * c.cols + grp * run + c.begin + i]);
  EXPECT_TRUE(all_near(got, want, 0, 0));
}

INSTANTIATE_TEST_SUITE_P(Ranges, SliceTest,
                         ::testing::Values(SliceCase{1, 192, 0, 64}, SliceCase{7, 192, 64, 64}, SliceCase{7, 192, 128, 64},
                                           SliceCase{3, 65, 64, 1}, SliceCase{5, 33, 0, 33}, SliceCase{70, 300, 17, 200},
                                           // Per head (MLA: 4 heads of 16 + 8 columns).
                                           SliceCase{7, 96, 0, 16, 4}, SliceCase{7, 96, 16, 8, 4}, SliceCase{3, 65, 4, 9, 5}),
                         [](const ::testing::TestParamInfo<SliceCase>& i) {
                           const SliceCase& c = i.param;
                           return std::to_string(c.rows) + "x" + std::to_string(c.cols) + "_groups" + std::to_string(c.groups) +
                                  "_from" + std::to_string(c.begin) + "_take" + std::to_string(c.count);
                         });

}  // namespace
}  // namespace rbee::test
