// rbee_graph_api, the frozen base table: validates each op's inputs and appends it to the Graph.
// Every entry point is noexcept: failures are recorded on the graph (graph_status, graph_error),
// never thrown to the plugin. The extensions live in graph_api_moe.cpp and graph_api_heads.cpp.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>

#include "graph/graph_api_support.hpp"

namespace rbee {
namespace graph_api_support {

rbee_tensor add_elementwise(Graph& gr, const char* op, rbee_tensor a, rbee_tensor b, uint32_t code, float factor,
                            float factor2) {
  if (!activation(gr, a, op, "a")) return RBEE_TENSOR_NONE;
  const Node& na = gr.node(a);
  if (b != RBEE_TENSOR_NONE) {
    if (!gr.valid(b)) return gr.fail(std::string(op) + ": b is not a tensor of this graph", RBEE_ERROR_INVALID_ARGUMENT);
    const Node& nb = gr.node(b);
    bool same = nb.rows == na.rows && nb.cols == na.cols;
    bool row = nb.rows == 1 && nb.cols == na.cols && code < kScale;
    bool column = nb.rows == na.rows && nb.cols == 1 && code < kScale && is_activation(nb);
    if (!(same || row || column) || nb.kind == OpKind::Tokens ||
        (nb.kind == OpKind::Weight && !float_weight_type(nb.weight->dtype)))
      return gr.fail(std::string(op) + ": b " + shape(nb) + " does not match a " + shape(na));
    if (nb.kind == OpKind::Weight && !vector_weight(gr, b, na.cols, op, "b")) return RBEE_TENSOR_NONE;
  }
  return gr.add(Node{.kind = OpKind::Elementwise, .inputs = {a, b}, .rows = na.rows, .cols = na.cols,
                     .elementwise = code, .factor = factor, .factor2 = factor2});
}

}  // namespace graph_api_support

namespace {

using namespace graph_api_support;

uint32_t api_n_tokens(const rbee_graph* g) noexcept { return g != nullptr ? G(g).n_tokens() : 0; }

uint32_t api_n_ctx(const rbee_graph* g) noexcept { return g != nullptr ? G(g).n_ctx() : 0; }

rbee_tensor api_input_tokens(rbee_graph* g) noexcept {
  return guarded(g, "input_tokens", [](Graph& gr) {
    for (size_t i = 0; i < gr.nodes().size(); ++i)
      if (gr.nodes()[i].kind == OpKind::Tokens) return static_cast<rbee_tensor>(i + 1);
    return gr.add(Node{.kind = OpKind::Tokens, .rows = gr.n_tokens(), .cols = 1});
  });
}

rbee_tensor api_weight(rbee_graph* g, const char* name) noexcept {
  return guarded(g, "weight", [name](Graph& gr) {
    if (name == nullptr) return gr.fail("weight: name is NULL", RBEE_ERROR_INVALID_ARGUMENT);
    const TensorView* t = gr.source().tensor(name);
    if (t == nullptr) return gr.fail("the model has no tensor named " + std::string(name));
    for (size_t i = 0; i < gr.nodes().size(); ++i)
      if (gr.nodes()[i].weight == t) return static_cast<rbee_tensor>(i + 1);
    if (t->shape.empty() || t->shape.size() > 2)
      return gr.fail("tensor " + t->name + " has " + std::to_string(t->shape.size()) +
                     " dimensions; ops take 1-D or 2-D weights");
    uint64_t rows = t->shape.size() == 2 ? t->shape[0] : 1, cols = t->shape.back();
    if (rows > UINT32_MAX || cols > UINT32_MAX) return gr.fail("tensor " + t->name + " is too large");
    return gr.add(Node{.kind = OpKind::Weight, .rows = uint32_t(rows), .cols = uint32_t(cols), .weight = t});
  });
}

uint32_t api_has_weight(const rbee_graph* g, const char* name) noexcept {
  if (g == nullptr || name == nullptr) return 0;
  try {
    return G(g).source().tensor(name) != nullptr ? 1 : 0;
  } catch (...) {  // records nothing, by its contract
    return 0;
  }
}

rbee_tensor api_embed(rbee_graph* g, rbee_tensor table, rbee_tensor ids) noexcept {
  return guarded(g, "embed", [=](Graph& gr) {
    if (!gr.valid(table) || gr.node(table).kind != OpKind::Weight)
      return gr.fail("embed: table must be a weight", RBEE_ERROR_INVALID_ARGUMENT);
    if (!gr.valid(ids) || gr.node(ids).kind != OpKind::Tokens)
      return gr.fail("embed: ids must be input_tokens()", RBEE_ERROR_INVALID_ARGUMENT);
    const Node& t = gr.node(table);
    if (!kernel_weight_type(t.weight->dtype)) return fail_unsupported_type(gr, *t.weight);
    return gr.add(Node{.kind = OpKind::Embed, .inputs = {table, ids}, .rows = gr.node(ids).rows, .cols = t.cols});
  });
}

rbee_tensor api_norm(rbee_graph* g, rbee_tensor x, rbee_tensor weight, rbee_tensor bias,
                     const rbee_norm_params* params) noexcept {
  return guarded(g, "norm", [=](Graph& gr) {
    if (!activation(gr, x, "norm", "x")) return RBEE_TENSOR_NONE;
    rbee_norm_params p;
    if (!read_params(params, p, offsetof(rbee_norm_params, weight_per_group))) return fail_params(gr, "norm");
    if (p.kind > RBEE_NORM_LAYER) return gr.fail("norm: unknown kind " + std::to_string(p.kind), RBEE_ERROR_INVALID_ARGUMENT);
    if (p.weight_per_group > 1)
      return gr.fail("norm: weight_per_group must be 0 or 1, not " + std::to_string(p.weight_per_group),
                     RBEE_ERROR_INVALID_ARGUMENT);
    const Node& in = gr.node(x);
    if (p.group_size == 0) p.group_size = in.cols;
    if (in.cols % p.group_size != 0)
      return gr.fail("norm: groups of " + std::to_string(p.group_size) + " columns do not divide input " + shape(in));
    const uint32_t weight_groups = p.weight_per_group ? in.cols / p.group_size : 1;
    if (!stacked_weight(gr, weight, weight_groups, p.group_size, "norm", "weight") ||
        !stacked_weight(gr, bias, weight_groups, p.group_size, "norm", "bias"))
      return RBEE_TENSOR_NONE;
    return gr.add(Node{.kind = OpKind::Norm, .inputs = {x, weight, bias}, .rows = in.rows, .cols = in.cols, .norm = p});
  });
}

rbee_tensor api_linear(rbee_graph* g, rbee_tensor x, rbee_tensor weight, rbee_tensor bias) noexcept {
  return guarded(g, "linear", [=](Graph& gr) {
    if (!activation(gr, x, "linear", "x")) return RBEE_TENSOR_NONE;
    if (!gr.valid(weight) || gr.node(weight).kind != OpKind::Weight)
      return gr.fail("linear: weight must be a weight", RBEE_ERROR_INVALID_ARGUMENT);
    const Node& w = gr.node(weight);
    const Node& in = gr.node(x);
    if (w.weight->shape.size() != 2 || w.cols != in.cols)
      return gr.fail("linear: " + w.weight->name + " has shape " + shape(w) + ", expected [*, " +
                     std::to_string(in.cols) + "] for input " + shape(in));
    if (!kernel_weight_type(w.weight->dtype)) return fail_unsupported_type(gr, *w.weight);
    if (!vector_weight(gr, bias, w.rows, "linear", "bias")) return RBEE_TENSOR_NONE;
    return gr.add(Node{.kind = OpKind::Linear, .inputs = {x, weight, bias}, .rows = in.rows, .cols = w.rows});
  });
}

rbee_tensor api_rope(rbee_graph* g, rbee_tensor x, rbee_tensor freq_factors, const rbee_rope_params* params) noexcept {
  return guarded(g, "rope", [=](Graph& gr) {
    if (!activation(gr, x, "rope", "x")) return RBEE_TENSOR_NONE;
    rbee_rope_params rp;
    if (!read_params(params, rp, offsetof(rbee_rope_params, yarn_no_truncate))) return fail_params(gr, "rope");
    const rbee_rope_params* p = &rp;
    const Node& in = gr.node(x);
    if (p->head_dim == 0 || p->head_dim % 2 || p->n_rot % 2 || p->n_rot > p->head_dim || p->n_rot == 0 ||
        uint64_t(p->n_heads) * p->head_dim != in.cols)
      return gr.fail("rope: " + std::to_string(p->n_heads) + " heads of " + std::to_string(p->head_dim) +
                     " (rotating " + std::to_string(p->n_rot) + ") do not fit input " + shape(in));
    if (p->mode > RBEE_ROPE_NEOX || p->scaling > RBEE_ROPE_SCALING_YARN || !(p->theta > 0))
      return gr.fail("rope: unknown mode or scaling, or theta <= 0", RBEE_ERROR_INVALID_ARGUMENT);
    if (p->scaling == RBEE_ROPE_SCALING_YARN) {
      if (rp.beta_fast == 0) rp.beta_fast = 32;  // transformers' defaults
      if (rp.beta_slow == 0) rp.beta_slow = 1;
      if (!(p->factor > 0) || p->original_max_positions == 0 || !(rp.beta_fast > rp.beta_slow) || !(rp.beta_slow > 0))
        return gr.fail("rope: YaRN needs factor > 0, original_max_positions and beta_fast > beta_slow > 0");
    }
    if (!vector_weight(gr, freq_factors, p->n_rot / 2, "rope", "freq_factors")) return RBEE_TENSOR_NONE;
    if (!std::isfinite(rp.attn_factor) || rp.attn_factor < 0) return gr.fail("rope: attn_factor must be >= 0");
    if (rp.attn_factor == 0) rp.attn_factor = 1.0f;
    std::vector<float> factors;
    if (rp.n_factors != 0) {
      if (rp.factors == nullptr || rp.n_factors != p->n_rot / 2)
        return gr.fail("rope: " + std::to_string(rp.n_factors) + " factors given, expected " + std::to_string(p->n_rot / 2));
      factors.assign(rp.factors, rp.factors + rp.n_factors);
      if (std::any_of(factors.begin(), factors.end(), [](float f) { return !(f > 0) || !std::isfinite(f); }))
        return gr.fail("rope: factors must be finite and > 0");
    }
    rp.factors = nullptr;  // the plugin's memory: only the copy is kept
    return gr.add(Node{.kind = OpKind::Rope, .inputs = {x, freq_factors}, .rows = in.rows, .cols = in.cols, .rope = rp,
                       .rope_factors = std::move(factors)});
  });
}

rbee_tensor api_attention(rbee_graph* g, rbee_tensor q, rbee_tensor k, rbee_tensor v,
                          const rbee_attention_params* params) noexcept {
  return guarded(g, "attention", [=](Graph& gr) {
    rbee_attention_params ap;
    if (!read_params(params, ap, offsetof(rbee_attention_params, sinks))) return fail_params(gr, "attention");
    const rbee_attention_params* p = &ap;
    if (!activation(gr, q, "attention", "q") || !activation(gr, k, "attention", "k")) return RBEE_TENSOR_NONE;
    if (ap.values_in_keys) {
      if (v != RBEE_TENSOR_NONE)
        return gr.fail("attention: v must be RBEE_TENSOR_NONE when the values are in the keys", RBEE_ERROR_INVALID_ARGUMENT);
      if (ap.head_dim_v > ap.head_dim_k) return gr.fail("attention: values in the keys need head_dim_v <= head_dim_k");
    } else if (!activation(gr, v, "attention", "v")) {
      return RBEE_TENSOR_NONE;
    }
    if (!std::isfinite(ap.softcap) || ap.softcap < 0) return gr.fail("attention: softcap must be >= 0");
    if (p->n_kv_heads == 0 || p->n_heads % p->n_kv_heads != 0)
      return gr.fail("attention: n_heads " + std::to_string(p->n_heads) + " is not a multiple of n_kv_heads " +
                     std::to_string(p->n_kv_heads));
    if (p->head_dim_k == 0 || p->head_dim_v == 0 || p->head_dim_k > kMaxAttentionHeadDim ||
        p->head_dim_v > kMaxAttentionHeadDim || p->head_dim_k % 2 || p->head_dim_v % 2)
      return gr.fail("attention: head sizes must be even and at most " + std::to_string(kMaxAttentionHeadDim));
    const Node &nq = gr.node(q), &nk = gr.node(k);
    bool v_fits = ap.values_in_keys || (gr.node(v).cols == p->n_kv_heads * p->head_dim_v && gr.node(v).rows == nq.rows);
    if (nq.cols != p->n_heads * p->head_dim_k || nk.cols != p->n_kv_heads * p->head_dim_k || nq.rows != nk.rows || !v_fits)
      return gr.fail("attention: q " + shape(nq) + ", k " + shape(nk) +
                     (ap.values_in_keys ? std::string() : ", v " + shape(gr.node(v))) +
                     " do not match the head counts and sizes");
    if (!vector_weight(gr, ap.sinks, p->n_heads, "attention", "sinks")) return RBEE_TENSOR_NONE;
    return gr.add(Node{.kind = OpKind::Attention, .inputs = {q, k, v, ap.sinks}, .rows = nq.rows,
                       .cols = p->n_heads * p->head_dim_v, .attention = ap});
  });
}

uint32_t activation_code(rbee_unary_op op) { return kSilu + static_cast<uint32_t>(op); }

rbee_tensor api_unary(rbee_graph* g, rbee_tensor x, rbee_unary_op op) noexcept {
  return guarded(g, "unary", [=](Graph& gr) {
    if (op > RBEE_UNARY_SIGMOID) return gr.fail("unary: unknown op " + std::to_string(op), RBEE_ERROR_INVALID_ARGUMENT);
    return add_elementwise(gr, "unary", x, RBEE_TENSOR_NONE, activation_code(op), 1.0f);
  });
}

rbee_tensor api_binary(rbee_graph* g, rbee_tensor a, rbee_tensor b, rbee_binary_op op) noexcept {
  return guarded(g, "binary", [=](Graph& gr) {
    if (op > RBEE_BINARY_MUL) return gr.fail("binary: unknown op " + std::to_string(op), RBEE_ERROR_INVALID_ARGUMENT);
    if (b == RBEE_TENSOR_NONE) return gr.fail("binary: b is missing", RBEE_ERROR_INVALID_ARGUMENT);
    return add_elementwise(gr, "binary", a, b, op == RBEE_BINARY_ADD ? kAdd : kMul, 1.0f);
  });
}

rbee_tensor api_gated(rbee_graph* g, rbee_tensor gate, rbee_tensor up, rbee_unary_op act) noexcept {
  return guarded(g, "gated", [=](Graph& gr) {
    if (act > RBEE_UNARY_SIGMOID)
      return gr.fail("gated: unknown activation " + std::to_string(act), RBEE_ERROR_INVALID_ARGUMENT);
    if (!activation(gr, up, "gated", "up")) return RBEE_TENSOR_NONE;
    return add_elementwise(gr, "gated", gate, up, kGated + activation_code(act) - kSilu, 1.0f);
  });
}

rbee_tensor api_scale(rbee_graph* g, rbee_tensor x, float factor) noexcept {
  return guarded(g, "scale", [=](Graph& gr) { return add_elementwise(gr, "scale", x, RBEE_TENSOR_NONE, kScale, factor); });
}

rbee_tensor api_softcap(rbee_graph* g, rbee_tensor x, float cap) noexcept {
  return guarded(g, "softcap", [=](Graph& gr) {
    if (!(cap > 0) || !std::isfinite(cap)) return gr.fail("softcap: cap must be > 0", RBEE_ERROR_INVALID_ARGUMENT);
    return add_elementwise(gr, "softcap", x, RBEE_TENSOR_NONE, kSoftcap, cap);
  });
}

rbee_tensor api_slice(rbee_graph* g, rbee_tensor x, uint32_t groups, uint32_t begin, uint32_t count) noexcept {
  return guarded(g, "slice", [=](Graph& gr) {
    if (!activation(gr, x, "slice", "x")) return RBEE_TENSOR_NONE;
    const Node& in = gr.node(x);
    if (groups == 0 || in.cols % groups != 0)
      return gr.fail("slice: " + std::to_string(groups) + " groups do not divide input " + shape(in));
    if (count == 0 || uint64_t(begin) + count > in.cols / groups)
      return gr.fail("slice: columns [" + std::to_string(begin) + ", " + std::to_string(uint64_t(begin) + count) +
                     ") do not fit " + (groups > 1 ? "a group of " + std::to_string(in.cols / groups) + " columns of " : "") +
                     "input " + shape(in));
    return gr.add(Node{.kind = OpKind::Slice, .inputs = {x}, .rows = in.rows, .cols = groups * count, .slice_begin = begin,
                       .groups = groups});
  });
}

rbee_tensor api_output_rows(rbee_graph* g, rbee_tensor x) noexcept {
  return guarded(g, "output_rows", [=](Graph& gr) {
    if (!activation(gr, x, "output_rows", "x")) return RBEE_TENSOR_NONE;
    if (gr.all_logits() || gr.node(x).rows == gr.n_outputs()) return x;
    return gr.add(Node{.kind = OpKind::OutputRows, .inputs = {x}, .rows = gr.n_outputs(), .cols = gr.node(x).cols});
  });
}

void api_set_output(rbee_graph* g, rbee_tensor logits) noexcept {
  guarded(g, "set_output", [=](Graph& gr) {
    if (!gr.valid(logits) || !is_activation(gr.node(logits)))
      return gr.fail("set_output: logits must be an activation", RBEE_ERROR_INVALID_ARGUMENT);
    if (gr.output() != RBEE_TENSOR_NONE) return gr.fail("set_output called twice", RBEE_ERROR_INVALID_ARGUMENT);
    gr.set_output(logits);
    return logits;
  });
}

rbee_status api_graph_status(const rbee_graph* g) noexcept {
  return g != nullptr ? G(g).status() : RBEE_ERROR_INVALID_ARGUMENT;
}

const char* api_graph_error(const rbee_graph* g) noexcept {
  if (g == nullptr) return "the graph handle is NULL";
  return G(g).error().empty() ? nullptr : G(g).error().c_str();
}

const rbee_graph_api k_api = {
    .struct_size = sizeof(rbee_graph_api),
    .n_tokens = api_n_tokens,
    .input_tokens = api_input_tokens,
    .weight = api_weight,
    .has_weight = api_has_weight,
    .embed = api_embed,
    .norm = api_norm,
    .linear = api_linear,
    .rope = api_rope,
    .attention = api_attention,
    .unary = api_unary,
    .binary = api_binary,
    .gated = api_gated,
    .scale = api_scale,
    .output_rows = api_output_rows,
    .set_output = api_set_output,
    .graph_status = api_graph_status,
    .graph_error = api_graph_error,
    .softcap = api_softcap,
    .slice = api_slice,
    .n_ctx = api_n_ctx,
};

}  // namespace

const rbee_graph_api* graph_api() { return &k_api; }

}  // namespace rbee
