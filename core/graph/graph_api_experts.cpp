// Extension "rbee.graph.experts/1" (rbee_graph_experts_api): experts stored transposed,
// per-expert biases and the clamped SwiGLU, under the rules of graph_api.cpp (noexcept, failures
// recorded on the graph).
#include <cmath>
#include <string>

#include "graph/graph_api_support.hpp"

namespace rbee {
namespace {

using namespace graph_api_support;

rbee_tensor api_experts_transposed(rbee_graph* g, const char* name, uint32_t n_expert) noexcept {
  return guarded(g, "experts_transposed", [=](Graph& gr) {
    if (name == nullptr) return gr.fail("experts_transposed: name is NULL", RBEE_ERROR_INVALID_ARGUMENT);
    if (n_expert == 0 || n_expert > 4096)
      return gr.fail("experts_transposed: " + std::to_string(n_expert) + " experts (expected 1..4096)", RBEE_ERROR_INVALID_ARGUMENT);
    const TensorView* t = gr.source().tensor(name);
    if (t == nullptr) return gr.fail("the model has no tensor named " + std::string(name));
    if (t->shape.size() != 3 || t->shape[0] != n_expert || t->shape[1] == 0 || t->shape[2] == 0 ||
        t->shape[1] > UINT32_MAX || t->shape[2] > UINT32_MAX)
      return gr.fail("tensor " + t->name + " is not [" + std::to_string(n_expert) + ", in, out] experts' weights");
    if (!kernel_weight_type(t->dtype)) return fail_unsupported_type(gr, *t);
    const uint32_t in = uint32_t(t->shape[1]), out = uint32_t(t->shape[2]);
    if (uint64_t(n_expert) * in * out >= (1ull << 32))  // kernels index elements with 32 bits
      return gr.fail("experts " + t->name + " are too large for one binding");
    // Each expert's block of `in` rows of the tensor seen as 2-D [n_expert * in, out], transposed.
    Node n{.kind = OpKind::Weight, .rows = out, .cols = in, .weight = t, .n_expert = n_expert,
           .cut = {in, 0, in, true}};
    for (size_t i = 0; i < gr.nodes().size(); ++i)
      if (gr.nodes()[i].weight == t && gr.nodes()[i].cut == n.cut) return static_cast<rbee_tensor>(i + 1);
    return gr.add(std::move(n));
  });
}

rbee_tensor api_moe_linear_bias(rbee_graph* g, rbee_tensor x, rbee_tensor experts, rbee_tensor biases,
                                rbee_tensor routing) noexcept {
  return guarded(g, "moe_linear_bias", [=](Graph& gr) {
    if (biases == RBEE_TENSOR_NONE) return gr.fail("moe_linear_bias: biases are missing", RBEE_ERROR_INVALID_ARGUMENT);
    return add_moe_linear(gr, x, experts, routing, biases);
  });
}

rbee_tensor api_clamped_swiglu(rbee_graph* g, rbee_tensor gate, rbee_tensor up, float alpha, float limit) noexcept {
  return guarded(g, "clamped_swiglu", [=](Graph& gr) {
    if (!(alpha > 0) || !std::isfinite(alpha) || !(limit > 0) || !std::isfinite(limit))
      return gr.fail("clamped_swiglu: alpha and limit must be finite and > 0", RBEE_ERROR_INVALID_ARGUMENT);
    if (!activation(gr, gate, "clamped_swiglu", "gate") || !activation(gr, up, "clamped_swiglu", "up")) return RBEE_TENSOR_NONE;
    const Node &a = gr.node(gate), &b = gr.node(up);
    if (a.rows != b.rows || a.cols != b.cols)
      return gr.fail("clamped_swiglu: gate " + shape(a) + " and up " + shape(b) + " differ");
    return add_elementwise(gr, "clamped_swiglu", gate, up, kClampedSwiglu, alpha, limit);
  });
}

const rbee_graph_experts_api k_experts_api = {
    .struct_size = sizeof(rbee_graph_experts_api),
    .experts_transposed = api_experts_transposed,
    .moe_linear_bias = api_moe_linear_bias,
    .clamped_swiglu = api_clamped_swiglu,
};

}  // namespace

const rbee_graph_experts_api* graph_experts_api() { return &k_experts_api; }

}  // namespace rbee
