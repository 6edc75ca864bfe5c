// The graph tables refuse bad ops with a message naming what is wrong and a status
// (graph_status), never crash or throw on bad handles, and read a params struct only as far as
// this host knows it (at least ABI 2.0's size).
#include <algorithm>
#include <climits>
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

TEST_F(GraphApiChecks, NormWeightsOfEachGroupAreStackedToTheRow) {
  // x is [4, 64]: four groups of 16, each with its own 16 weights.
  EXPECT_THAT(build([](const rbee_graph_api& api, rbee_graph* g, rbee_tensor x) {
                rbee_norm_params p{sizeof p, RBEE_NORM_LAYER, 1e-6f, 0, 16, 1};
                api.norm(g, x, api.weight(g, "w16"), RBEE_TENSOR_NONE, &p);
              }),
              HasSubstr("norm: weight w16 has shape [1, 16], expected [4, 16] or [64]"));
  EXPECT_THAT(build([](const rbee_graph_api& api, rbee_graph* g, rbee_tensor x) {
                rbee_norm_params p{sizeof p, RBEE_NORM_LAYER, 1e-6f, 0, 16, 2};
                api.norm(g, x, RBEE_TENSOR_NONE, RBEE_TENSOR_NONE, &p);
              }),
              HasSubstr("norm: weight_per_group must be 0 or 1, not 2"));
  // A 2.1 plugin's struct ends before weight_per_group: its groups share one weight.
  EXPECT_EQ(build([](const rbee_graph_api& api, rbee_graph* g, rbee_tensor x) {
              rbee_norm_params p{offsetof(rbee_norm_params, weight_per_group), RBEE_NORM_LAYER, 1e-6f, 0, 16, 1};
              api.norm(g, x, api.weight(g, "w16"), RBEE_TENSOR_NONE, &p);
            }),
            "");
  EXPECT_EQ(last().norm.weight_per_group, 0u);
}

TEST_F(GraphApiChecks, ParamsSmallerThanTheirAbi2StructAreRefused) {
  // ABI 2.0 is the first of its major: every params struct has at least its 2.0 fields.
  EXPECT_THAT(build([](const rbee_graph_api& api, rbee_graph* g, rbee_tensor x) {
                rbee_norm_params p{offsetof(rbee_norm_params, group_size), RBEE_NORM_RMS, 1e-6f, 0, 0};
                api.norm(g, x, RBEE_TENSOR_NONE, RBEE_TENSOR_NONE, &p);
              }),
              HasSubstr("norm: bad params"));
  EXPECT_EQ(graph_->status(), RBEE_ERROR_INVALID_ARGUMENT);
  EXPECT_THAT(build([](const rbee_graph_api& api, rbee_graph* g, rbee_tensor x) {
                api.attention(g, x, x, x, nullptr);
              }),
              HasSubstr("attention: bad params"));
  // A plugin of a later minor may pass a larger struct: the tail this host does not know is not read.
  struct NormParamsOfALaterMinor {
    rbee_norm_params known;
    uint32_t added;
  } later{{sizeof later, RBEE_NORM_RMS, 1e-6f, 0, 16}, 99};
  EXPECT_EQ(build([&](const rbee_graph_api& api, rbee_graph* g, rbee_tensor x) {
              api.norm(g, x, RBEE_TENSOR_NONE, RBEE_TENSOR_NONE, &later.known);
            }),
            "");
  EXPECT_EQ(last().norm.group_size, 16u);
  EXPECT_EQ(last().norm.struct_size, sizeof(rbee_norm_params));
}

TEST_F(GraphApiChecks, AFailedOpRecordsItsStatusAndLaterOpsReturnNone) {
  rbee_tensor after = 1;
  EXPECT_THAT(build([&](const rbee_graph_api& api, rbee_graph* g, rbee_tensor x) {
                EXPECT_EQ(api.graph_status(g), RBEE_OK);
                EXPECT_EQ(api.graph_error(g), nullptr);
                EXPECT_EQ(api.slice(g, x, 3, 0, 1), RBEE_TENSOR_NONE);
                after = api.scale(g, x, 2.0f);  // valid on its own
              }),
              HasSubstr("slice: 3 groups do not divide input [4, 64]"));
  EXPECT_EQ(after, RBEE_TENSOR_NONE);
  const rbee_graph* g = reinterpret_cast<const rbee_graph*>(graph_.get());
  EXPECT_EQ(graph_api()->graph_status(g), RBEE_ERROR_BAD_MODEL);
  EXPECT_STREQ(graph_api()->graph_error(g), "slice: 3 groups do not divide input [4, 64]");
  // The first failure is the one kept.
  EXPECT_THAT(build([](const rbee_graph_api& api, rbee_graph* g, rbee_tensor x) {
                api.weight(g, "no.such.tensor");
                api.unary(g, x, 77);
              }),
              HasSubstr("the model has no tensor named no.such.tensor"));
}

TEST_F(GraphApiChecks, BadArgumentsOfEveryFormerlyUnguardedOpAreRecorded) {
  const std::function<void(const rbee_graph_api&, rbee_graph*, rbee_tensor)> bad_ops[] = {
      [](const rbee_graph_api& api, rbee_graph* g, rbee_tensor x) { api.unary(g, x, 77); },
      [](const rbee_graph_api& api, rbee_graph* g, rbee_tensor x) { api.binary(g, x, x, 9); },
      [](const rbee_graph_api& api, rbee_graph* g, rbee_tensor x) { api.binary(g, x, RBEE_TENSOR_NONE, RBEE_BINARY_ADD); },
      [](const rbee_graph_api& api, rbee_graph* g, rbee_tensor x) { api.gated(g, x, x, 12); },
      [](const rbee_graph_api& api, rbee_graph* g, rbee_tensor x) { api.gated(g, x, 4242, RBEE_UNARY_SILU); },
      [](const rbee_graph_api& api, rbee_graph* g, rbee_tensor x) { api.softcap(g, x, -1.0f); },
      [](const rbee_graph_api& api, rbee_graph* g, rbee_tensor) { api.set_output(g, -5); },
  };
  for (const auto& op : bad_ops) {
    EXPECT_NE(build(op), "");
    EXPECT_EQ(graph_->status(), RBEE_ERROR_INVALID_ARGUMENT) << graph_->error();
  }
}

TEST_F(GraphApiChecks, GarbageTensorHandlesAreErrorsNotCrashes) {
  for (rbee_tensor garbage : {-1, 0, 12345, INT32_MAX, INT32_MIN}) {
    EXPECT_THAT(build([=](const rbee_graph_api& api, rbee_graph* g, rbee_tensor) {
                  EXPECT_EQ(api.linear(g, garbage, garbage, garbage), RBEE_TENSOR_NONE);
                }),
                HasSubstr("linear: x is not a tensor of this graph"));
    EXPECT_EQ(graph_->status(), RBEE_ERROR_INVALID_ARGUMENT);
  }
  EXPECT_THAT(build([](const rbee_graph_api&, rbee_graph* g, rbee_tensor x) {
                graph_moe_api()->moe_combine(g, x, 999);
              }),
              HasSubstr("moe_combine: routing must come from moe_route()"));
  EXPECT_THAT(build([](const rbee_graph_api&, rbee_graph* g, rbee_tensor) {
                graph_heads_api()->head_linear(g, -3, 7);
              }),
              HasSubstr("head_linear: x is not a tensor of this graph"));
}

TEST(GraphApiNullGraph, ANullGraphIsAnErrorNotACrash) {
  const rbee_graph_api& api = *graph_api();
  rbee_norm_params p{sizeof p, RBEE_NORM_RMS, 1e-6f, 0, 0};
  EXPECT_EQ(api.n_tokens(nullptr), 0u);
  EXPECT_EQ(api.n_ctx(nullptr), 0u);
  EXPECT_EQ(api.input_tokens(nullptr), RBEE_TENSOR_NONE);
  EXPECT_EQ(api.weight(nullptr, "x"), RBEE_TENSOR_NONE);
  EXPECT_EQ(api.has_weight(nullptr, "x"), 0u);
  EXPECT_EQ(api.norm(nullptr, 1, RBEE_TENSOR_NONE, RBEE_TENSOR_NONE, &p), RBEE_TENSOR_NONE);
  EXPECT_EQ(api.unary(nullptr, 1, RBEE_UNARY_SILU), RBEE_TENSOR_NONE);
  api.set_output(nullptr, 1);
  EXPECT_EQ(api.graph_status(nullptr), RBEE_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(api.graph_error(nullptr), nullptr);
  EXPECT_EQ(graph_moe_api()->experts(nullptr, "w", 4), RBEE_TENSOR_NONE);
  EXPECT_EQ(graph_heads_api()->concat(nullptr, 1, 2, 1), RBEE_TENSOR_NONE);
}

TEST(GraphApiTables, EachTableHasItsSizeAndEveryFunction) {
  // Every table is a uint32_t struct_size (padded to a pointer) followed by function pointers.
  const auto all_set = [](const auto& table) {
    const auto* fns = reinterpret_cast<void* const*>(reinterpret_cast<const char*>(&table) + sizeof(void*));
    const size_t n = (sizeof table - sizeof(void*)) / sizeof(void*);
    return std::all_of(fns, fns + n, [](void* fn) { return fn != nullptr; });
  };
  EXPECT_EQ(graph_api()->struct_size, sizeof(rbee_graph_api));
  EXPECT_EQ(graph_moe_api()->struct_size, sizeof(rbee_graph_moe_api));
  EXPECT_EQ(graph_heads_api()->struct_size, sizeof(rbee_graph_heads_api));
  EXPECT_TRUE(all_set(*graph_api()));
  EXPECT_TRUE(all_set(*graph_moe_api()));
  EXPECT_TRUE(all_set(*graph_heads_api()));
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
