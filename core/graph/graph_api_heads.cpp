// Extension "rbee.graph.heads/1" (rbee_graph_heads_api): per-head matrices, under the rules of
// graph_api.cpp (noexcept, failures recorded on the graph).
#include <string>

#include "graph/graph_api_support.hpp"

namespace rbee {
namespace {

using namespace graph_api_support;

rbee_tensor api_concat(rbee_graph* g, rbee_tensor a, rbee_tensor b, uint32_t groups) noexcept {
  return guarded(g, "concat", [=](Graph& gr) {
    if (!activation(gr, a, "concat", "a") || !activation(gr, b, "concat", "b")) return RBEE_TENSOR_NONE;
    const Node &na = gr.node(a), &nb = gr.node(b);
    if (groups == 0 || na.rows != nb.rows || na.cols % groups || nb.cols % groups)
      return gr.fail("concat: a " + shape(na) + " and b " + shape(nb) + " are not " + std::to_string(groups) +
                     " runs each of the same rows");
    return gr.add(Node{.kind = OpKind::Concat, .inputs = {a, b}, .rows = na.rows, .cols = na.cols + nb.cols, .groups = groups});
  });
}

rbee_tensor api_head_weights(rbee_graph* g, const char* name, uint32_t n_heads, uint32_t begin, uint32_t count,
                             uint32_t transposed) noexcept {
  return guarded(g, "head_weights", [=](Graph& gr) {
    if (name == nullptr) return gr.fail("head_weights: name is NULL", RBEE_ERROR_INVALID_ARGUMENT);
    const TensorView* t = gr.source().tensor(name);
    if (t == nullptr) return gr.fail("the model has no tensor named " + std::string(name));
    if (t->shape.size() != 2 || n_heads == 0 || t->shape[0] % n_heads || t->shape[1] > UINT32_MAX)
      return gr.fail("head_weights: tensor " + t->name + " is not [" + std::to_string(n_heads) + " x rows, cols]");
    uint32_t per_head = uint32_t(t->shape[0] / n_heads), cols = uint32_t(t->shape[1]);
    if (count == 0 || uint64_t(begin) + count > per_head)
      return gr.fail("head_weights: rows [" + std::to_string(begin) + ", " + std::to_string(uint64_t(begin) + count) +
                     ") do not fit the " + std::to_string(per_head) + " rows per head of " + t->name);
    if (!kernel_weight_type(t->dtype)) return fail_unsupported_type(gr, *t);
    Node n{.kind = OpKind::Weight, .rows = transposed ? cols : count, .cols = transposed ? count : cols, .weight = t,
           .n_expert = n_heads, .cut = {per_head, begin, count, transposed != 0}};
    for (size_t i = 0; i < gr.nodes().size(); ++i)
      if (gr.nodes()[i].weight == t && gr.nodes()[i].cut == n.cut) return static_cast<rbee_tensor>(i + 1);
    return gr.add(std::move(n));
  });
}

rbee_tensor api_head_linear(rbee_graph* g, rbee_tensor x, rbee_tensor weights) noexcept {
  return guarded(g, "head_linear", [=](Graph& gr) {
    if (!activation(gr, x, "head_linear", "x")) return RBEE_TENSOR_NONE;
    if (!gr.valid(weights) || gr.node(weights).n_expert == 0)
      return gr.fail("head_linear: weights must come from head_weights() or experts()", RBEE_ERROR_INVALID_ARGUMENT);
    const Node &in = gr.node(x), &w = gr.node(weights);
    uint32_t heads = w.n_expert;
    if (uint64_t(heads) * w.cols != in.cols)
      return gr.fail("head_linear: input " + shape(in) + " is not " + std::to_string(heads) + " heads of " +
                     std::to_string(w.cols) + " for " + weight_name(w));
    rbee_moe_route_params heads_as_experts{.struct_size = sizeof(rbee_moe_route_params), .n_expert = heads, .n_used = heads};
    return gr.add(Node{.kind = OpKind::MoeLinear, .inputs = {x, weights, RBEE_TENSOR_NONE}, .rows = in.rows,
                       .cols = heads * w.rows, .moe = heads_as_experts});
  });
}

const rbee_graph_heads_api k_heads_api = {
    .struct_size = sizeof(rbee_graph_heads_api),
    .concat = api_concat,
    .head_weights = api_head_weights,
    .head_linear = api_head_linear,
};

}  // namespace

const rbee_graph_heads_api* graph_heads_api() { return &k_heads_api; }

}  // namespace rbee
