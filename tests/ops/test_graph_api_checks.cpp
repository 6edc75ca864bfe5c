// rbee_graph_api refuses bad ops with a message naming what is wrong, and reads a params struct
// only as far as the plugin's struct_size covers (a plugin built for ABI 1.0 passes the shorter
// structs; whatever lies after them must not be read).
#include <cstddef>

#include <gmock/gmock.h>

#include "ops/op_harness.hpp"

namespace rbee::test {
namespace {

using ::testing::HasSubstr;

class GraphApiChecks : public ::testing::Test {
 protected:
  GraphApiChecks() {
    source_.add("x", DType::F32, {4, 64}, random_values(4 * 64, 1));
    source_.add("w16", DType::F32, {16}, random_values(16, 2));
  }
  // Builds on a fresh graph; returns its error ("" when none).
  std::string build(const std::function<void(const rbee_graph_api&, rbee_graph*, rbee_tensor x)>& fn) {
    graph_ = std::make_unique<Graph>(source_, 4, true, 256);
    auto* g = reinterpret_cast<rbee_graph*>(graph_.get());
    const rbee_graph_api& api = *graph_api();
    fn(api, g, api.embed(g, api.weight(g, "x"), api.input_tokens(g)));
    return graph_->error();
  }
  const Node& last() const { return graph_->nodes().back(); }

  MemorySource source_;
  std::unique_ptr<Graph> graph_;
};

TEST_F(GraphApiChecks, NormGroupsMustDivideTheRow) {
  EXPECT_THAT(build([](const rbee_graph_api& api, rbee_graph* g, rbee_tensor x) {
                rbee_norm_params p{sizeof p, RBEE_NORM_RMS, 1e-6f, 0, 24};
                api.norm(g, x, RBEE_TENSOR_NONE, RBEE_TENSOR_NONE, &p);
              }),
              HasSubstr("groups of 24 columns do not divide input [4, 64]"));
  EXPECT_THAT(build([](const rbee_graph_api& api, rbee_graph* g, rbee_tensor x) {
                rbee_norm_params p{sizeof p, RBEE_NORM_RMS, 1e-6f, 0, 32};
                api.norm(g, x, api.weight(g, "w16"), RBEE_TENSOR_NONE, &p);
              }),
              HasSubstr("weight w16 has shape [1, 16], expected [32]"));
}

TEST_F(GraphApiChecks, ParamsOfAnOlderMinorAreReadOnlyAsFarAsTheirSize) {
  // ABI 1.0 structs end before the 1.1 fields; what follows in memory is garbage here.
  EXPECT_EQ(build([](const rbee_graph_api& api, rbee_graph* g, rbee_tensor x) {
              rbee_norm_params p{offsetof(rbee_norm_params, group_size), RBEE_NORM_RMS, 1e-6f, 0, 24};
              api.norm(g, x, RBEE_TENSOR_NONE, RBEE_TENSOR_NONE, &p);
            }),
            "");
  EXPECT_EQ(last().norm.group_size, 64u);
  EXPECT_EQ(build([](const rbee_graph_api& api, rbee_graph* g, rbee_tensor x) {
              rbee_attention_params p{offsetof(rbee_attention_params, softcap), 0, 4, 4, 16, 16, 0.25f, -7.0f, 99};
              api.attention(g, x, x, x, &p);
            }),
            "");
  EXPECT_EQ(last().attention.softcap, 0.0f);
  EXPECT_EQ(last().attention.window, 0u);
  EXPECT_EQ(build([](const rbee_graph_api& api, rbee_graph* g, rbee_tensor x) {
              float garbage[3] = {-1, -1, -1};
              rbee_rope_params p{offsetof(rbee_rope_params, attn_factor), 4, 16, 16, RBEE_ROPE_NEOX, 10000.0f, 0, 1, 1, 4, 0,
                                 -3.0f, garbage, 3};
              api.rope(g, x, RBEE_TENSOR_NONE, &p);
            }),
            "");
  EXPECT_EQ(last().rope.attn_factor, 1.0f);
  EXPECT_TRUE(last().rope_factors.empty());
  // Shorter than ABI 1.0: refused.
  EXPECT_THAT(build([](const rbee_graph_api& api, rbee_graph* g, rbee_tensor x) {
                rbee_norm_params p{8, RBEE_NORM_RMS, 1e-6f, 0, 0};
                api.norm(g, x, RBEE_TENSOR_NONE, RBEE_TENSOR_NONE, &p);
              }),
              HasSubstr("norm: bad params"));
}

TEST_F(GraphApiChecks, RopeFactorsByValueAreCheckedAndCopied) {
  EXPECT_THAT(build([](const rbee_graph_api& api, rbee_graph* g, rbee_tensor x) {
                float f[4] = {1, 2, 3, 4};
                rbee_rope_params p{sizeof p, 4, 16, 16, RBEE_ROPE_NEOX, 10000.0f, 0, 1, 1, 4, 0, 1.0f, f, 4};
                api.rope(g, x, RBEE_TENSOR_NONE, &p);
              }),
              HasSubstr("rope: 4 factors given, expected 8"));
  EXPECT_THAT(build([](const rbee_graph_api& api, rbee_graph* g, rbee_tensor x) {
                float f[8] = {1, 2, 3, 4, 5, 6, 0, 8};
                rbee_rope_params p{sizeof p, 4, 16, 16, RBEE_ROPE_NEOX, 10000.0f, 0, 1, 1, 4, 0, 1.0f, f, 8};
                api.rope(g, x, RBEE_TENSOR_NONE, &p);
              }),
              HasSubstr("factors must be finite and > 0"));
  EXPECT_EQ(build([](const rbee_graph_api& api, rbee_graph* g, rbee_tensor x) {
              float f[8] = {1, 2, 3, 4, 5, 6, 7, 8};
              rbee_rope_params p{sizeof p, 4, 16, 16, RBEE_ROPE_NEOX, 10000.0f, 0, 1, 1, 4, 0, 1.5f, f, 8};
              api.rope(g, x, RBEE_TENSOR_NONE, &p);
              f[0] = 100;  // the plugin's memory may change once the call returns
            }),
            "");
  EXPECT_EQ(last().rope_factors, (std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(last().rope.factors, nullptr);
}

TEST_F(GraphApiChecks, SliceAndSoftcapAreChecked) {
  EXPECT_THAT(build([](const rbee_graph_api& api, rbee_graph* g, rbee_tensor x) { api.slice(g, x, 1, 60, 5); }),
              HasSubstr("slice: columns [60, 65) do not fit input [4, 64]"));
  EXPECT_THAT(build([](const rbee_graph_api& api, rbee_graph* g, rbee_tensor x) { api.slice(g, x, 1, 0, 0); }),
              HasSubstr("slice: columns [0, 0)"));
  EXPECT_THAT(build([](const rbee_graph_api& api, rbee_graph* g, rbee_tensor x) { api.slice(g, x, 4, 10, 8); }),
              HasSubstr("slice: columns [10, 18) do not fit a group of 16 columns of input [4, 64]"));
  EXPECT_THAT(build([](const rbee_graph_api& api, rbee_graph* g, rbee_tensor x) { api.slice(g, x, 3, 0, 1); }),
              HasSubstr("slice: 3 groups do not divide input [4, 64]"));
  EXPECT_THAT(build([](const rbee_graph_api& api, rbee_graph* g, rbee_tensor x) { api.softcap(g, x, 0.0f); }),
              HasSubstr("softcap: cap must be > 0"));
  EXPECT_THAT(build([](const rbee_graph_api& api, rbee_graph* g, rbee_tensor x) {
                rbee_attention_params p{sizeof p, 0, 4, 4, 16, 16, 0.25f, -1.0f, 0};
                api.attention(g, x, x, x, &p);
              }),
              HasSubstr("attention: softcap must be >= 0"));
}

TEST_F(GraphApiChecks, AttentionHeadsUpTo1024) {
  EXPECT_THAT(build([](const rbee_graph_api& api, rbee_graph* g, rbee_tensor x) {
                rbee_attention_params p{sizeof p, 0, 1, 1, 1026, 16, 0.25f};
                api.attention(g, x, x, x, &p);
              }),
              HasSubstr("attention: head sizes must be even and at most 1024"));
}

TEST_F(GraphApiChecks, ContextLengthIsTheGraphs) {
  build([](const rbee_graph_api& api, rbee_graph* g, rbee_tensor) { EXPECT_EQ(api.n_ctx(g), 256u); });
}

}  // namespace
}  // namespace rbee::test
