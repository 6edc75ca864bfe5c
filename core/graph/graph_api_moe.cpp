// Extension "rbee.graph.moe/1" (rbee_graph_moe_api): mixture-of-experts operations, under the
// rules of graph_api.cpp (noexcept, failures recorded on the graph).
#include <cmath>
#include <cstdio>
#include <string>

#include "graph/graph_api_support.hpp"

namespace rbee {
namespace graph_api_support {

bool is_routing(const Graph& g, rbee_tensor t) { return g.valid(t) && g.node(t).kind == OpKind::MoeRoute; }

rbee_tensor add_moe_linear(Graph& gr, rbee_tensor x, rbee_tensor experts, rbee_tensor routing, rbee_tensor biases) {
  if (!activation(gr, x, "moe_linear", "x")) return RBEE_TENSOR_NONE;
  if (!gr.valid(experts) || gr.node(experts).n_expert == 0) return gr.fail("moe_linear: experts must come from experts()", RBEE_ERROR_INVALID_ARGUMENT);
  if (!is_routing(gr, routing)) return gr.fail("moe_linear: routing must come from moe_route()", RBEE_ERROR_INVALID_ARGUMENT);
  const Node &in = gr.node(x), &w = gr.node(experts), &r = gr.node(routing);
  uint32_t k = r.moe.n_used;
  if (w.n_expert != r.moe.n_expert)
    return gr.fail("moe_linear: " + weight_name(w) + " holds " + std::to_string(w.n_expert) + " experts, routing chooses among " +
                   std::to_string(r.moe.n_expert));
  if (in.cols != w.cols || (in.rows != r.rows && uint64_t(in.rows) != uint64_t(r.rows) * k))
    return gr.fail("moe_linear: input " + shape(in) + " does not fit experts of " + weight_name(w) + " [" +
                   std::to_string(w.rows) + ", " + std::to_string(w.cols) + "] for " + std::to_string(r.rows) + " tokens x " +
                   std::to_string(k) + " experts");
  if (biases != RBEE_TENSOR_NONE) {
    if (!gr.valid(biases) || gr.node(biases).kind != OpKind::Weight || gr.node(biases).n_expert != 0)
      return gr.fail("moe_linear: biases must be a weight", RBEE_ERROR_INVALID_ARGUMENT);
    const Node& b = gr.node(biases);
    if (b.weight->shape.size() != 2 || b.rows != w.n_expert || b.cols != w.rows)
      return gr.fail("moe_linear: biases " + weight_name(b) + " have shape " + shape(b) + ", expected [" +
                     std::to_string(w.n_expert) + ", " + std::to_string(w.rows) + "]");
    if (!float_weight_type(b.weight->dtype))
      return gr.fail("moe_linear: biases " + weight_name(b) + " have type " + std::string(dtype_name(b.weight->dtype)) +
                     ", expected F32, F16 or BF16");
  }
  return gr.add(Node{.kind = OpKind::MoeLinear, .inputs = {x, experts, routing, biases}, .rows = r.rows * k, .cols = w.rows,
                     .moe = r.moe});
}

}  // namespace graph_api_support

namespace {

using namespace graph_api_support;

// "name%u" with exactly one conversion, %u, and nothing else for printf to read.
bool one_expert_conversion(const std::string& pattern) {
  size_t at = pattern.find('%');
  return at != std::string::npos && pattern.compare(at, 2, "%u") == 0 && pattern.find('%', at + 1) == std::string::npos;
}

rbee_tensor api_experts(rbee_graph* g, const char* name, uint32_t n_expert) noexcept {
  return guarded(g, "experts", [=](Graph& gr) {
    if (name == nullptr) return gr.fail("experts: name is NULL", RBEE_ERROR_INVALID_ARGUMENT);
    if (n_expert == 0 || n_expert > 4096) return gr.fail("experts: " + std::to_string(n_expert) + " experts (expected 1..4096)", RBEE_ERROR_INVALID_ARGUMENT);
    std::string pattern(name);
    Node n{.kind = OpKind::Weight, .n_expert = n_expert};
    if (pattern.find('%') == std::string::npos) {
      const TensorView* t = gr.source().tensor(pattern);
      if (t == nullptr) return gr.fail("the model has no tensor named " + pattern);
      if (t->shape.size() != 3 || t->shape[0] != n_expert || t->shape[1] > UINT32_MAX || t->shape[2] > UINT32_MAX)
        return gr.fail("tensor " + t->name + " is not [" + std::to_string(n_expert) + ", out, in] experts' weights");
      n.weight = t;
      n.rows = uint32_t(t->shape[1]);
      n.cols = uint32_t(t->shape[2]);
    } else {
      if (!one_expert_conversion(pattern)) return gr.fail("experts: name pattern " + pattern + " must contain one %u and no other %", RBEE_ERROR_INVALID_ARGUMENT);
      for (uint32_t e = 0; e < n_expert; ++e) {
        char expert_name[512];
        std::snprintf(expert_name, sizeof expert_name, pattern.c_str(), e);
        const TensorView* t = gr.source().tensor(expert_name);
        if (t == nullptr) return gr.fail("the model has no tensor named " + std::string(expert_name));
        const TensorView* first = n.expert_parts.empty() ? t : n.expert_parts[0];
        if (t->shape.size() != 2 || t->shape != first->shape || t->dtype != first->dtype || t->shape[0] > UINT32_MAX ||
            t->shape[1] > UINT32_MAX)
          return gr.fail("tensor " + t->name + " is not a 2-D tensor of the type and shape of " + first->name);
        n.expert_parts.push_back(t);
      }
      n.weight = n.expert_parts[0];
      n.rows = uint32_t(n.weight->shape[0]);
      n.cols = uint32_t(n.weight->shape[1]);
    }
    if (!kernel_weight_type(n.weight->dtype)) return fail_unsupported_type(gr, *n.weight);
    if (uint64_t(n_expert) * n.rows * n.cols >= (1ull << 32))  // kernels index elements with 32 bits
      return gr.fail("experts " + n.weight->name + ": " + std::to_string(n_expert) + " x [" + std::to_string(n.rows) + ", " +
                     std::to_string(n.cols) + "] is too large for one binding");
    for (size_t i = 0; i < gr.nodes().size(); ++i) {  // one node per set of experts
      const Node& o = gr.nodes()[i];
      if (o.n_expert && !o.cut.rows_per_head && o.weight == n.weight && o.expert_parts == n.expert_parts)
        return static_cast<rbee_tensor>(i + 1);
    }
    return gr.add(std::move(n));
  });
}

rbee_tensor api_moe_route(rbee_graph* g, rbee_tensor logits, rbee_tensor selection_bias, const rbee_moe_route_params* params) noexcept {
  return guarded(g, "moe_route", [=](Graph& gr) {
    if (!activation(gr, logits, "moe_route", "logits")) return RBEE_TENSOR_NONE;
    rbee_moe_route_params p;
    if (!read_params(params, p)) return fail_params(gr, "moe_route");
    const Node& in = gr.node(logits);
    if (p.n_expert == 0 || in.cols != p.n_expert)
      return gr.fail("moe_route: logits " + shape(in) + " do not have " + std::to_string(p.n_expert) + " experts");
    if (p.n_used == 0 || p.n_used > 32 || p.n_used > p.n_expert)
      return gr.fail("moe_route: " + std::to_string(p.n_used) + " experts per token (expected 1..min(32, n_expert))");
    if (p.gating > RBEE_MOE_SIGMOID) return gr.fail("moe_route: unknown gating " + std::to_string(p.gating), RBEE_ERROR_INVALID_ARGUMENT);
    if (!std::isfinite(p.scale) || p.scale < 0) return gr.fail("moe_route: scale must be >= 0");
    if (p.scale == 0) p.scale = 1.0f;
    if (p.n_group > 1) {
      uint32_t per_group = p.n_expert / p.n_group;
      if (p.n_group > 64 || p.n_expert % p.n_group || p.topk_group == 0 || p.topk_group > p.n_group ||
          p.group_top == 0 || p.group_top > per_group || uint64_t(p.topk_group) * per_group < p.n_used)
        return gr.fail("moe_route: " + std::to_string(p.n_group) + " groups (keeping " + std::to_string(p.topk_group) +
                       ", scored by their " + std::to_string(p.group_top) + " best) do not fit " +
                       std::to_string(p.n_expert) + " experts choosing " + std::to_string(p.n_used));
    } else {
      p.n_group = 1;
    }
    if (!vector_weight(gr, selection_bias, p.n_expert, "moe_route", "selection_bias")) return RBEE_TENSOR_NONE;
    RoutingLayout layout{in.rows, p.n_expert, p.n_used};
    uint64_t cols = (layout.words() + in.rows - 1) / in.rows;
    return gr.add(Node{.kind = OpKind::MoeRoute, .inputs = {logits, selection_bias}, .rows = in.rows,
                       .cols = uint32_t(cols), .moe = p});
  });
}

rbee_tensor api_moe_linear(rbee_graph* g, rbee_tensor x, rbee_tensor experts, rbee_tensor routing) noexcept {
  return guarded(g, "moe_linear", [=](Graph& gr) { return add_moe_linear(gr, x, experts, routing, RBEE_TENSOR_NONE); });
}

rbee_tensor api_moe_combine(rbee_graph* g, rbee_tensor h, rbee_tensor routing) noexcept {
  return guarded(g, "moe_combine", [=](Graph& gr) {
    if (!activation(gr, h, "moe_combine", "h")) return RBEE_TENSOR_NONE;
    if (!is_routing(gr, routing)) return gr.fail("moe_combine: routing must come from moe_route()", RBEE_ERROR_INVALID_ARGUMENT);
    const Node &in = gr.node(h), &r = gr.node(routing);
    if (uint64_t(in.rows) != uint64_t(r.rows) * r.moe.n_used)
      return gr.fail("moe_combine: h " + shape(in) + " does not have a row per token and chosen expert (" +
                     std::to_string(r.rows) + " x " + std::to_string(r.moe.n_used) + ")");
    return gr.add(Node{.kind = OpKind::MoeCombine, .inputs = {h, routing}, .rows = r.rows, .cols = in.cols, .moe = r.moe});
  });
}

const rbee_graph_moe_api k_moe_api = {
    .struct_size = sizeof(rbee_graph_moe_api),
    .experts = api_experts,
    .moe_route = api_moe_route,
    .moe_linear = api_moe_linear,
    .moe_combine = api_moe_combine,
};

}  // namespace

const rbee_graph_moe_api* graph_moe_api() { return &k_moe_api; }

}  // namespace rbee
