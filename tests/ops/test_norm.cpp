// norm: RMS and layer norm per row or per group of columns (per-head Q/K norms), with and
// without weight / bias, weight_offset 1.0 (Gemma), a weight and bias of each group's own
// (weight_per_group: StableLM 2's per-head norms, stacked 2-D or flat), row widths around the
// workgroup size, and more groups than one dispatch dimension holds.
#include "ops/op_harness.hpp"

namespace rbee::test {
namespace {

struct NormCase {
  uint32_t kind;  // rbee_norm_kind
  uint32_t cols;
  bool weight, bias;
  float weight_offset;
  DType weight_type;
  uint32_t group = 0;  // 0: whole rows
  uint32_t rows = 5;
  // Each group its own weight and bias: 0 shared, else stored [groups, group] (2) or flat (1).
  uint32_t per_group_dims = 0;
};

class NormTest : public ::testing::TestWithParam<NormCase> {};

TEST_P(NormTest, MatchesReference) {
  const NormCase c = GetParam();
  const uint32_t rows = c.rows, width = c.group ? c.group : c.cols, groups = c.cols / width;
  const uint32_t stored = c.per_group_dims ? c.cols : width;  // weight and bias elements
  const std::vector<uint64_t> shape = c.per_group_dims == 2 ? std::vector<uint64_t>{groups, width}
                                                            : std::vector<uint64_t>{stored};
  const float eps = 1e-5f;
  OpHarness h;
  // Rows with an offset so that layer norm's mean matters.
  std::vector<float> x = h.source().add("x", DType::F32, {rows, c.cols}, random_values(size_t(rows) * c.cols, c.cols, -1.0f, 3.0f));
  std::vector<float> w, b;
  if (c.weight) w = h.source().add("w", c.weight_type, shape, random_values(stored, 100 + c.cols, -2.0f, 2.0f));
  if (c.bias) b = h.source().add("b", c.weight_type, shape, random_values(stored, 200 + c.cols));
  std::vector<float> got = h.eval(rows, [&](const rbee_graph_api& api, rbee_graph* g) {
    rbee_norm_params p{sizeof p, c.kind, eps, c.weight_offset, c.group, c.per_group_dims != 0};
    return api.norm(g, h.input(g, "x"), c.weight ? api.weight(g, "w") : RBEE_TENSOR_NONE,
                    c.bias ? api.weight(g, "b") : RBEE_TENSOR_NONE, &p);
  });

  std::vector<double> want;
  for (uint32_t r = 0; r < rows * groups; ++r) {
    const float* row = &x[size_t(r) * width];
    const size_t wbase = c.per_group_dims ? size_t(r % groups) * width : 0;
    double mean = 0;
    if (c.kind == RBEE_NORM_LAYER) {
      for (uint32_t i = 0; i < width; ++i) mean += row[i];
      mean /= width;
    }
    double sq = 0;
    for (uint32_t i = 0; i < width; ++i) sq += (row[i] - mean) * (row[i] - mean);
    double inv = 1.0 / std::sqrt(sq / width + eps);
    for (uint32_t i = 0; i < width; ++i) {
      double v = (row[i] - mean) * inv;
      if (c.weight) v *= double(w[wbase + i]) + c.weight_offset;
      if (c.bias) v += b[wbase + i];
      want.push_back(v);
    }
  }
  EXPECT_TRUE(all_near(got, want, 2e-5, 1e-4));
}

std::string name(const ::testing::TestParamInfo<NormCase>& i) {
  const NormCase& c = i.param;
  std::string s = c.kind == RBEE_NORM_RMS ? "rms" : "layer";
  s += "_cols" + std::to_string(c.cols);
  if (c.weight) s += "_weight";
  if (c.bias) s += "_bias";
  if (c.weight_offset != 0) s += "_offset1";
  if (c.weight || c.bias) s += c.weight_type == DType::F32 ? "_f32" : c.weight_type == DType::F16 ? "_f16" : "_bf16";
  if (c.group) s += "_groups_of" + std::to_string(c.group) + "_rows" + std::to_string(c.rows);
  if (c.per_group_dims) s += c.per_group_dims == 2 ? "_own_weights_2d" : "_own_weights_flat";
  return s;
}

std::vector<NormCase> cases() {
  std::vector<NormCase> out;
  for (uint32_t cols : {1u, 63u, 64u, 65u, 1000u}) {
    out.push_back({RBEE_NORM_RMS, cols, false, false, 0, DType::F32});
    out.push_back({RBEE_NORM_RMS, cols, true, false, 0, DType::F32});
    out.push_back({RBEE_NORM_RMS, cols, true, false, 1.0f, DType::F32});
    out.push_back({RBEE_NORM_LAYER, cols, false, false, 0, DType::F32});
    out.push_back({RBEE_NORM_LAYER, cols, true, true, 0, DType::F32});
    out.push_back({RBEE_NORM_LAYER, cols, false, true, 0, DType::F32});
  }
  // Weights stored as halves are widened to float32 for norm (even and odd lengths).
  out.push_back({RBEE_NORM_RMS, 64, true, false, 0, DType::F16});
  out.push_back({RBEE_NORM_LAYER, 65, true, true, 0, DType::F16});
  out.push_back({RBEE_NORM_RMS, 63, true, false, 1.0f, DType::BF16});
  out.push_back({RBEE_NORM_LAYER, 1000, true, true, 0, DType::BF16});
  // Per-head norms: Qwen3 (RMS), Gemma 3 (RMS, 1 + weight), odd widths, layer norm per group.
  out.push_back({RBEE_NORM_RMS, 64, true, false, 0, DType::F32, 16});
  out.push_back({RBEE_NORM_RMS, 260, true, false, 1.0f, DType::BF16, 130});
  out.push_back({RBEE_NORM_LAYER, 195, true, true, 0, DType::F32, 65});
  out.push_back({RBEE_NORM_RMS, 1000, false, false, 0, DType::F32, 1000});
  // Each head its own weight (StableLM 2: layer norm, no bias; and with a bias, flat, in halves).
  out.push_back({RBEE_NORM_LAYER, 256, true, false, 0, DType::F32, 64, 5, 2});
  out.push_back({RBEE_NORM_LAYER, 195, true, true, 0, DType::F16, 65, 3, 1});
  out.push_back({RBEE_NORM_RMS, 260, true, false, 1.0f, DType::BF16, 130, 4, 2});
  // 200 rows x 512 groups = 102,400 runs: more workgroups than one dimension takes.
  out.push_back({RBEE_NORM_RMS, 1024, true, false, 0, DType::F32, 2, 200});
  return out;
}

INSTANTIATE_TEST_SUITE_P(Shapes, NormTest, ::testing::ValuesIn(cases()), name);

}  // namespace
}  // namespace rbee::test
