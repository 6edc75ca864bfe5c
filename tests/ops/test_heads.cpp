// Per-head ops of multi-head latent attention: concat of two tensors run by run, and
// head_linear with per-head matrices from a 3-D tensor (experts()) or cut from a 2-D one
// (head_weights(), as they are or transposed, float and quantized), one token (mat-vec per head)
// and batches (each head's matrix read once per batch).
#include <cctype>

#include <gmock/gmock.h>

#include "ops/op_harness.hpp"

namespace rbee::test {
namespace {

TEST(Concat, InterleavesRunsOfBothInputs) {
  struct Case { uint32_t rows, a_cols, b_cols, groups; };
  for (Case c : {Case{1, 64, 8, 1}, Case{7, 128, 32, 4}, Case{3, 5, 10, 5}, Case{70, 300, 60, 3}}) {
    OpHarness h;
    std::vector<float> a = h.source().add("a", DType::F32, {c.rows, c.a_cols}, random_values(size_t(c.rows) * c.a_cols, 1));
    std::vector<float> b = h.source().add("b", DType::F32, {c.rows, c.b_cols}, random_values(size_t(c.rows) * c.b_cols, 2));
    std::vector<float> got = h.eval(c.rows, [&](const rbee_graph_api&, rbee_graph* g) {
      return graph_heads_api()->concat(g, h.input(g, "a"), h.input(g, "b"), c.groups);
    });
    std::vector<double> want;
    const uint32_t ra = c.a_cols / c.groups, rb = c.b_cols / c.groups;
    for (uint32_t r = 0; r < c.rows; ++r)
      for (uint32_t grp = 0; grp < c.groups; ++grp) {
        for (uint32_t i = 0; i < ra; ++i) want.push_back(a[size_t(r) * c.a_cols + grp * ra + i]);
        for (uint32_t i = 0; i < rb; ++i) want.push_back(b[size_t(r) * c.b_cols + grp * rb + i]);
      }
    EXPECT_TRUE(all_near(got, want, 0, 0)) << c.rows << " rows, " << c.groups << " groups";
  }
}

enum class Source { Stacked3d, Cut, CutTransposed };

struct HeadCase {
  Source source;
  DType dtype;
  uint32_t tokens, heads, in, out;
};

std::string head_name(const ::testing::TestParamInfo<HeadCase>& i) {
  const HeadCase& c = i.param;
  std::string t(dtype_name(c.dtype));
  for (char& ch : t) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  const char* s[] = {"stacked", "cut", "cut_transposed"};
  return std::string(s[int(c.source)]) + "_" + t + "_tokens" + std::to_string(c.tokens) + "_heads" + std::to_string(c.heads) +
         "_in" + std::to_string(c.in) + "_out" + std::to_string(c.out);
}

class HeadLinearTest : public ::testing::TestWithParam<HeadCase> {};

TEST_P(HeadLinearTest, MatchesReference) {
  const HeadCase c = GetParam();
  OpHarness h({}, std::max(256u, c.tokens));
  std::vector<float> x =
      h.source().add("x", DType::F32, {c.tokens, c.heads * c.in}, random_values(size_t(c.tokens) * c.heads * c.in, 1));
  // w[h][o][i]: head h's matrix as head_linear uses it.
  std::vector<float> w(size_t(c.heads) * c.out * c.in);
  auto add = [&](std::vector<uint64_t> shape, const std::vector<float>& v) {
    bool flt = c.dtype == DType::F32 || c.dtype == DType::F16 || c.dtype == DType::BF16;
    return flt ? h.source().add("w", c.dtype, shape, v) : h.source().add_quantized("w", c.dtype, shape, v);
  };
  // A cut takes rows [3, 3 + count) of each head's block of count + 5 rows (the rest is
  // another matrix, as the value part of kv_b_proj is beside the key part).
  const uint32_t skip = 3, extra = 5;
  if (c.source == Source::Stacked3d) {
    w = add({c.heads, c.out, c.in}, random_values(w.size(), 2));
  } else if (c.source == Source::Cut) {
    const uint32_t block = c.out + extra;
    std::vector<float> all = add({c.heads * block, c.in}, random_values(size_t(c.heads) * block * c.in, 3));
    for (uint32_t hd = 0; hd < c.heads; ++hd)
      for (uint32_t o = 0; o < c.out; ++o)
        for (uint32_t i = 0; i < c.in; ++i)
          w[(size_t(hd) * c.out + o) * c.in + i] = all[(size_t(hd) * block + skip + o) * c.in + i];
  } else {  // stored [heads * (in + extra), out]; head h uses rows [skip, skip + in) transposed
    const uint32_t block = c.in + extra;
    std::vector<float> all = add({c.heads * block, c.out}, random_values(size_t(c.heads) * block * c.out, 4));
    for (uint32_t hd = 0; hd < c.heads; ++hd)
      for (uint32_t o = 0; o < c.out; ++o)
        for (uint32_t i = 0; i < c.in; ++i)
          w[(size_t(hd) * c.out + o) * c.in + i] = all[(size_t(hd) * block + skip + i) * c.out + o];
  }
  std::vector<float> got = h.eval(c.tokens, [&](const rbee_graph_api&, rbee_graph* g) {
    rbee_tensor weights = c.source == Source::Stacked3d ? graph_moe_api()->experts(g, "w", c.heads)
                          : c.source == Source::Cut     ? graph_heads_api()->head_weights(g, "w", c.heads, skip, c.out, 0)
                                                        : graph_heads_api()->head_weights(g, "w", c.heads, skip, c.in, 1);
    return graph_heads_api()->head_linear(g, h.input(g, "x"), weights);
  });
  std::vector<double> want, scale;
  for (uint32_t t = 0; t < c.tokens; ++t)
    for (uint32_t hd = 0; hd < c.heads; ++hd) {
      std::vector<float> xh(x.begin() + (size_t(t) * c.heads + hd) * c.in, x.begin() + (size_t(t) * c.heads + hd + 1) * c.in);
      std::vector<float> wh(w.begin() + size_t(hd) * c.out * c.in, w.begin() + size_t(hd + 1) * c.out * c.in);
      LinearReference r = linear_reference(xh, wh, {}, 1, c.in, c.out);
      want.insert(want.end(), r.want.begin(), r.want.end());
      scale.insert(scale.end(), r.scale.begin(), r.scale.end());
    }
  EXPECT_TRUE(all_near(got, want, 1e-5, 1e-5, &scale));
}

INSTANTIATE_TEST_SUITE_P(
    Sources, HeadLinearTest,
    ::testing::Values(HeadCase{Source::Stacked3d, DType::F32, 1, 4, 16, 32}, HeadCase{Source::Stacked3d, DType::F32, 9, 4, 16, 32},
                      HeadCase{Source::Stacked3d, DType::F16, 3, 3, 40, 17}, HeadCase{Source::Cut, DType::F32, 1, 4, 32, 16},
                      HeadCase{Source::Cut, DType::BF16, 20, 5, 32, 16}, HeadCase{Source::CutTransposed, DType::F32, 1, 4, 16, 32},
                      HeadCase{Source::CutTransposed, DType::F16, 17, 4, 16, 32},
                      HeadCase{Source::CutTransposed, DType::BF16, 3, 2, 24, 40},
                      HeadCase{Source::Cut, DType::Q8_0, 1, 4, 64, 16}, HeadCase{Source::Cut, DType::Q4_K, 11, 2, 256, 8},
                      // Quantized rows used transposed (a q8_0 kv_b_proj): decoded at upload.
                      HeadCase{Source::CutTransposed, DType::Q8_0, 3, 4, 16, 64},
                      HeadCase{Source::Stacked3d, DType::Q6_K, 5, 3, 256, 24}),
    head_name);

TEST(HeadWeights, RefusesWhatCannotBeCut) {
  MemorySource source;
  source.add("w", DType::F32, {40, 16}, random_values(640, 1));
  Graph graph(source, 1, true, 256);
  auto* g = reinterpret_cast<rbee_graph*>(&graph);
  EXPECT_EQ(graph_heads_api()->head_weights(g, "w", 3, 0, 4, 0), RBEE_TENSOR_NONE);
  EXPECT_THAT(graph.error(), ::testing::HasSubstr("is not [3 x rows, cols]"));
  Graph g2(source, 1, true, 256);
  EXPECT_EQ(graph_heads_api()->head_weights(reinterpret_cast<rbee_graph*>(&g2), "w", 4, 6, 5, 0), RBEE_TENSOR_NONE);
  EXPECT_THAT(g2.error(), ::testing::HasSubstr("rows [6, 11) do not fit the 10 rows per head of w"));
}

}  // namespace
}  // namespace rbee::test
