// rbee_graph_api: validates each op's inputs and appends it to the Graph. Every function is
// noexcept at the boundary: failures are recorded on the graph, never thrown to the plugin.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <string>

#include "graph/graph.hpp"

namespace rbee {
namespace {

Graph& G(rbee_graph* g) { return *reinterpret_cast<Graph*>(g); }
const Graph& G(const rbee_graph* g) { return *reinterpret_cast<const Graph*>(g); }

bool is_activation(const Node& n) { return n.kind != OpKind::Weight && n.kind != OpKind::Tokens; }

bool float_weight_type(DType t) { return t == DType::F32 || t == DType::F16 || t == DType::BF16; }

std::string unsupported_type(const TensorView& t) {
  return "tensor " + t.name + " has type " + std::string(dtype_name(t.dtype)) +
         ", which rbee cannot run (supported: f32, f16, bf16, q8_0, q4_0, q4_1, q5_0, q5_1, q2_K, q3_K, q4_K, "
         "q5_K, q6_K, iq4_nl, mxfp4)";
}

std::string shape(const Node& n) { return "[" + std::to_string(n.rows) + ", " + std::to_string(n.cols) + "]"; }

std::string weight_name(const Node& n) { return n.weight ? n.weight->name : std::string("(activation)"); }

template <typename Fn>
rbee_tensor guarded(rbee_graph* g, const char* op, Fn fn) {
  if (!G(g).error().empty()) return RBEE_TENSOR_NONE;
  try {
    return fn(G(g));
  } catch (const std::exception& e) {
    return G(g).fail(std::string(op) + ": " + e.what());
  }
}

// Checks that t is a valid activation handle; records why not.
bool activation(Graph& g, rbee_tensor t, const char* op, const char* what) {
  if (!g.valid(t)) return g.fail(std::string(op) + ": " + what + " is not a tensor of this graph"), false;
  if (!is_activation(g.node(t))) return g.fail(std::string(op) + ": " + what + " must be an activation"), false;
  return true;
}

// Checks an optional 1-D weight of `cols` elements (norm weight, bias).
bool vector_weight(Graph& g, rbee_tensor t, uint32_t cols, const char* op, const char* what) {
  if (t == RBEE_TENSOR_NONE) return true;
  if (!g.valid(t) || g.node(t).kind != OpKind::Weight)
    return g.fail(std::string(op) + ": " + what + " must be a weight"), false;
  const Node& w = g.node(t);
  if (w.rows != 1 || w.cols != cols)
    return g.fail(std::string(op) + ": " + what + " " + weight_name(w) + " has shape " + shape(w) + ", expected [" +
                  std::to_string(cols) + "]"), false;
  if (!float_weight_type(w.weight->dtype))
    return g.fail(std::string(op) + ": " + what + " " + weight_name(w) + " has type " +
                  std::string(dtype_name(w.weight->dtype)) + ", expected F32, F16 or BF16"), false;
  return true;
}

// A plugin's params struct as this host knows it: fields past the plugin's struct_size (it was
// built against an older minor) stay zero. False when it lacks even the ABI 1.0 fields.
template <typename T>
bool read_params(const T* p, size_t v1_0_size, T& out) {
  if (p == nullptr || p->struct_size < v1_0_size) return false;
  out = T{};
  std::memcpy(&out, p, std::min<size_t>(p->struct_size, sizeof(T)));
  out.struct_size = sizeof(T);
  return true;
}

uint32_t api_n_tokens(const rbee_graph* g) { return G(g).n_tokens(); }

uint32_t api_n_ctx(const rbee_graph* g) { return G(g).n_ctx(); }

rbee_tensor api_input_tokens(rbee_graph* g) {
  return guarded(g, "input_tokens", [](Graph& gr) {
    for (size_t i = 0; i < gr.nodes().size(); ++i)
      if (gr.nodes()[i].kind == OpKind::Tokens) return static_cast<rbee_tensor>(i + 1);
    return gr.add(Node{.kind = OpKind::Tokens, .rows = gr.n_tokens(), .cols = 1});
  });
}

rbee_tensor api_weight(rbee_graph* g, const char* name) {
  return guarded(g, "weight", [name](Graph& gr) {
    if (name == nullptr) return gr.fail("weight: name is NULL");
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

int api_has_weight(const rbee_graph* g, const char* name) {
  return name != nullptr && G(g).source().tensor(name) != nullptr ? 1 : 0;
}

rbee_tensor api_embed(rbee_graph* g, rbee_tensor table, rbee_tensor ids) {
  return guarded(g, "embed", [=](Graph& gr) {
    if (!gr.valid(table) || gr.node(table).kind != OpKind::Weight) return gr.fail("embed: table must be a weight");
    if (!gr.valid(ids) || gr.node(ids).kind != OpKind::Tokens) return gr.fail("embed: ids must be input_tokens()");
    const Node& t = gr.node(table);
    if (!kernel_weight_type(t.weight->dtype)) return gr.fail(unsupported_type(*t.weight));
    return gr.add(Node{.kind = OpKind::Embed, .inputs = {table, ids}, .rows = gr.node(ids).rows, .cols = t.cols});
  });
}

rbee_tensor api_norm(rbee_graph* g, rbee_tensor x, rbee_tensor weight, rbee_tensor bias,
                     const rbee_norm_params* params) {
  return guarded(g, "norm", [=](Graph& gr) {
    if (!activation(gr, x, "norm", "x")) return RBEE_TENSOR_NONE;
    rbee_norm_params p;
    if (!read_params(params, offsetof(rbee_norm_params, group_size), p)) return gr.fail("norm: bad params");
    if (p.kind > RBEE_NORM_LAYER) return gr.fail("norm: unknown kind " + std::to_string(p.kind));
    const Node& in = gr.node(x);
    if (p.group_size == 0) p.group_size = in.cols;
    if (in.cols % p.group_size != 0)
      return gr.fail("norm: groups of " + std::to_string(p.group_size) + " columns do not divide input " + shape(in));
    if (!vector_weight(gr, weight, p.group_size, "norm", "weight") ||
        !vector_weight(gr, bias, p.group_size, "norm", "bias"))
      return RBEE_TENSOR_NONE;
    return gr.add(Node{.kind = OpKind::Norm, .inputs = {x, weight, bias}, .rows = in.rows, .cols = in.cols, .norm = p});
  });
}

rbee_tensor api_linear(rbee_graph* g, rbee_tensor x, rbee_tensor weight, rbee_tensor bias) {
  return guarded(g, "linear", [=](Graph& gr) {
    if (!activation(gr, x, "linear", "x")) return RBEE_TENSOR_NONE;
    if (!gr.valid(weight) || gr.node(weight).kind != OpKind::Weight) return gr.fail("linear: weight must be a weight");
    const Node& w = gr.node(weight);
    const Node& in = gr.node(x);
    if (w.weight->shape.size() != 2 || w.cols != in.cols)
      return gr.fail("linear: " + w.weight->name + " has shape " + shape(w) + ", expected [*, " +
                     std::to_string(in.cols) + "] for input " + shape(in));
    if (!kernel_weight_type(w.weight->dtype)) return gr.fail(unsupported_type(*w.weight));
    if (!vector_weight(gr, bias, w.rows, "linear", "bias")) return RBEE_TENSOR_NONE;
    return gr.add(Node{.kind = OpKind::Linear, .inputs = {x, weight, bias}, .rows = in.rows, .cols = w.rows});
  });
}

rbee_tensor api_rope(rbee_graph* g, rbee_tensor x, rbee_tensor freq_factors, const rbee_rope_params* params) {
  return guarded(g, "rope", [=](Graph& gr) {
    if (!activation(gr, x, "rope", "x")) return RBEE_TENSOR_NONE;
    rbee_rope_params rp;
    if (!read_params(params, offsetof(rbee_rope_params, attn_factor), rp)) return gr.fail("rope: bad params");
    const rbee_rope_params* p = &rp;
    const Node& in = gr.node(x);
    if (p->head_dim == 0 || p->head_dim % 2 || p->n_rot % 2 || p->n_rot > p->head_dim || p->n_rot == 0 ||
        uint64_t(p->n_heads) * p->head_dim != in.cols)
      return gr.fail("rope: " + std::to_string(p->n_heads) + " heads of " + std::to_string(p->head_dim) +
                     " (rotating " + std::to_string(p->n_rot) + ") do not fit input " + shape(in));
    if (p->mode > RBEE_ROPE_NEOX || p->scaling > RBEE_ROPE_SCALING_YARN || !(p->theta > 0))
      return gr.fail("rope: unknown mode or scaling, or theta <= 0");
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
                          const rbee_attention_params* params) {
  return guarded(g, "attention", [=](Graph& gr) {
    rbee_attention_params ap;
    if (!read_params(params, offsetof(rbee_attention_params, softcap), ap)) return gr.fail("attention: bad params");
    const rbee_attention_params* p = &ap;
    if (!activation(gr, q, "attention", "q") || !activation(gr, k, "attention", "k")) return RBEE_TENSOR_NONE;
    if (ap.values_in_keys) {
      if (v != RBEE_TENSOR_NONE) return gr.fail("attention: v must be RBEE_TENSOR_NONE when the values are in the keys");
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
    return gr.add(Node{.kind = OpKind::Attention, .inputs = {q, k, v}, .rows = nq.rows,
                       .cols = p->n_heads * p->head_dim_v, .attention = ap});
  });
}

rbee_tensor elementwise(rbee_graph* g, const char* op, rbee_tensor a, rbee_tensor b, uint32_t code, float factor) {
  return guarded(g, op, [=](Graph& gr) {
    if (!activation(gr, a, op, "a")) return RBEE_TENSOR_NONE;
    const Node& na = gr.node(a);
    if (b != RBEE_TENSOR_NONE) {
      if (!gr.valid(b)) return gr.fail(std::string(op) + ": b is not a tensor of this graph");
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
                       .elementwise = code, .factor = factor});
  });
}

uint32_t activation_code(rbee_unary_op op) { return kSilu + static_cast<uint32_t>(op); }

rbee_tensor api_unary(rbee_graph* g, rbee_tensor x, rbee_unary_op op) {
  if (op > RBEE_UNARY_SIGMOID) return G(g).fail("unary: unknown op " + std::to_string(op));
  return elementwise(g, "unary", x, RBEE_TENSOR_NONE, activation_code(op), 1.0f);
}

rbee_tensor api_binary(rbee_graph* g, rbee_tensor a, rbee_tensor b, rbee_binary_op op) {
  if (op > RBEE_BINARY_MUL) return G(g).fail("binary: unknown op " + std::to_string(op));
  if (b == RBEE_TENSOR_NONE) return G(g).fail("binary: b is missing");
  return elementwise(g, "binary", a, b, op == RBEE_BINARY_ADD ? kAdd : kMul, 1.0f);
}

rbee_tensor api_gated(rbee_graph* g, rbee_tensor gate, rbee_tensor up, rbee_unary_op act) {
  if (act > RBEE_UNARY_SIGMOID) return G(g).fail("gated: unknown activation " + std::to_string(act));
  if (up == RBEE_TENSOR_NONE || (G(g).valid(up) && !is_activation(G(g).node(up))))
    return G(g).fail("gated: up must be an activation");
  return elementwise(g, "gated", gate, up, kGated + activation_code(act) - kSilu, 1.0f);
}

rbee_tensor api_scale(rbee_graph* g, rbee_tensor x, float factor) {
  return elementwise(g, "scale", x, RBEE_TENSOR_NONE, kScale, factor);
}

rbee_tensor api_softcap(rbee_graph* g, rbee_tensor x, float cap) {
  if (!(cap > 0) || !std::isfinite(cap)) return G(g).fail("softcap: cap must be > 0");
  return elementwise(g, "softcap", x, RBEE_TENSOR_NONE, kSoftcap, cap);
}

rbee_tensor api_slice(rbee_graph* g, rbee_tensor x, uint32_t groups, uint32_t begin, uint32_t count) {
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

// "name%u" with exactly one conversion, %u, and nothing else for printf to read.
bool one_expert_conversion(const std::string& pattern) {
  size_t at = pattern.find('%');
  return at != std::string::npos && pattern.compare(at, 2, "%u") == 0 && pattern.find('%', at + 1) == std::string::npos;
}

rbee_tensor api_experts(rbee_graph* g, const char* name, uint32_t n_expert) {
  return guarded(g, "experts", [=](Graph& gr) {
    if (name == nullptr) return gr.fail("experts: name is NULL");
    if (n_expert == 0 || n_expert > 4096) return gr.fail("experts: " + std::to_string(n_expert) + " experts (expected 1..4096)");
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
      if (!one_expert_conversion(pattern)) return gr.fail("experts: name pattern " + pattern + " must contain one %u and no other %");
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
    if (!kernel_weight_type(n.weight->dtype)) return gr.fail(unsupported_type(*n.weight));
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

bool is_routing(const Graph& g, rbee_tensor t) { return g.valid(t) && g.node(t).kind == OpKind::MoeRoute; }

rbee_tensor api_moe_route(rbee_graph* g, rbee_tensor logits, rbee_tensor selection_bias, const rbee_moe_route_params* params) {
  return guarded(g, "moe_route", [=](Graph& gr) {
    if (!activation(gr, logits, "moe_route", "logits")) return RBEE_TENSOR_NONE;
    rbee_moe_route_params p;
    if (!read_params(params, sizeof(rbee_moe_route_params), p)) return gr.fail("moe_route: bad params");
    const Node& in = gr.node(logits);
    if (p.n_expert == 0 || in.cols != p.n_expert)
      return gr.fail("moe_route: logits " + shape(in) + " do not have " + std::to_string(p.n_expert) + " experts");
    if (p.n_used == 0 || p.n_used > 32 || p.n_used > p.n_expert)
      return gr.fail("moe_route: " + std::to_string(p.n_used) + " experts per token (expected 1..min(32, n_expert))");
    if (p.gating > RBEE_MOE_SIGMOID) return gr.fail("moe_route: unknown gating " + std::to_string(p.gating));
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

rbee_tensor api_moe_linear(rbee_graph* g, rbee_tensor x, rbee_tensor experts, rbee_tensor routing) {
  return guarded(g, "moe_linear", [=](Graph& gr) {
    if (!activation(gr, x, "moe_linear", "x")) return RBEE_TENSOR_NONE;
    if (!gr.valid(experts) || gr.node(experts).n_expert == 0) return gr.fail("moe_linear: experts must come from experts()");
    if (!is_routing(gr, routing)) return gr.fail("moe_linear: routing must come from moe_route()");
    const Node &in = gr.node(x), &w = gr.node(experts), &r = gr.node(routing);
    uint32_t k = r.moe.n_used;
    if (w.n_expert != r.moe.n_expert)
      return gr.fail("moe_linear: " + weight_name(w) + " holds " + std::to_string(w.n_expert) + " experts, routing chooses among " +
                     std::to_string(r.moe.n_expert));
    if (in.cols != w.cols || (in.rows != r.rows && uint64_t(in.rows) != uint64_t(r.rows) * k))
      return gr.fail("moe_linear: input " + shape(in) + " does not fit experts of " + weight_name(w) + " [" +
                     std::to_string(w.rows) + ", " + std::to_string(w.cols) + "] for " + std::to_string(r.rows) + " tokens x " +
                     std::to_string(k) + " experts");
    return gr.add(Node{.kind = OpKind::MoeLinear, .inputs = {x, experts, routing}, .rows = r.rows * k, .cols = w.rows,
                       .moe = r.moe});
  });
}

rbee_tensor api_moe_combine(rbee_graph* g, rbee_tensor h, rbee_tensor routing) {
  return guarded(g, "moe_combine", [=](Graph& gr) {
    if (!activation(gr, h, "moe_combine", "h")) return RBEE_TENSOR_NONE;
    if (!is_routing(gr, routing)) return gr.fail("moe_combine: routing must come from moe_route()");
    const Node &in = gr.node(h), &r = gr.node(routing);
    if (uint64_t(in.rows) != uint64_t(r.rows) * r.moe.n_used)
      return gr.fail("moe_combine: h " + shape(in) + " does not have a row per token and chosen expert (" +
                     std::to_string(r.rows) + " x " + std::to_string(r.moe.n_used) + ")");
    return gr.add(Node{.kind = OpKind::MoeCombine, .inputs = {h, routing}, .rows = r.rows, .cols = in.cols, .moe = r.moe});
  });
}

rbee_tensor api_concat(rbee_graph* g, rbee_tensor a, rbee_tensor b, uint32_t groups) {
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
                             int transposed) {
  return guarded(g, "head_weights", [=](Graph& gr) {
    if (name == nullptr) return gr.fail("head_weights: name is NULL");
    const TensorView* t = gr.source().tensor(name);
    if (t == nullptr) return gr.fail("the model has no tensor named " + std::string(name));
    if (t->shape.size() != 2 || n_heads == 0 || t->shape[0] % n_heads || t->shape[1] > UINT32_MAX)
      return gr.fail("head_weights: tensor " + t->name + " is not [" + std::to_string(n_heads) + " x rows, cols]");
    uint32_t per_head = uint32_t(t->shape[0] / n_heads), cols = uint32_t(t->shape[1]);
    if (count == 0 || uint64_t(begin) + count > per_head)
      return gr.fail("head_weights: rows [" + std::to_string(begin) + ", " + std::to_string(uint64_t(begin) + count) +
                     ") do not fit the " + std::to_string(per_head) + " rows per head of " + t->name);
    if (!kernel_weight_type(t->dtype)) return gr.fail(unsupported_type(*t));
    Node n{.kind = OpKind::Weight, .rows = transposed ? cols : count, .cols = transposed ? count : cols, .weight = t,
           .n_expert = n_heads, .cut = {per_head, begin, count, transposed != 0}};
    for (size_t i = 0; i < gr.nodes().size(); ++i)
      if (gr.nodes()[i].weight == t && gr.nodes()[i].cut == n.cut) return static_cast<rbee_tensor>(i + 1);
    return gr.add(std::move(n));
  });
}

rbee_tensor api_head_linear(rbee_graph* g, rbee_tensor x, rbee_tensor weights) {
  return guarded(g, "head_linear", [=](Graph& gr) {
    if (!activation(gr, x, "head_linear", "x")) return RBEE_TENSOR_NONE;
    if (!gr.valid(weights) || gr.node(weights).n_expert == 0)
      return gr.fail("head_linear: weights must come from head_weights() or experts()");
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

rbee_tensor api_output_rows(rbee_graph* g, rbee_tensor x) {
  return guarded(g, "output_rows", [=](Graph& gr) {
    if (!activation(gr, x, "output_rows", "x")) return RBEE_TENSOR_NONE;
    if (gr.all_logits() || gr.node(x).rows == 1) return x;
    return gr.add(Node{.kind = OpKind::OutputRows, .inputs = {x}, .rows = 1, .cols = gr.node(x).cols});
  });
}

rbee_status api_set_output(rbee_graph* g, rbee_tensor logits) {
  Graph& gr = G(g);
  if (!gr.error().empty()) return RBEE_ERROR_INVALID_ARGUMENT;
  if (!gr.valid(logits) || !is_activation(gr.node(logits)))
    return gr.fail("set_output: logits must be an activation"), RBEE_ERROR_INVALID_ARGUMENT;
  if (gr.output() != RBEE_TENSOR_NONE) return gr.fail("set_output called twice"), RBEE_ERROR_INVALID_ARGUMENT;
  gr.set_output(logits);
  return RBEE_OK;
}

const char* api_graph_error(const rbee_graph* g) { return G(g).error().empty() ? nullptr : G(g).error().c_str(); }

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
    .graph_error = api_graph_error,
    .softcap = api_softcap,
    .slice = api_slice,
    .n_ctx = api_n_ctx,
    .experts = api_experts,
    .moe_route = api_moe_route,
    .moe_linear = api_moe_linear,
    .moe_combine = api_moe_combine,
    .concat = api_concat,
    .head_weights = api_head_weights,
    .head_linear = api_head_linear,
};

}  // namespace

const rbee_graph_api* graph_api() { return &k_api; }

}  // namespace rbee
