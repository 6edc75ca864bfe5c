#pragma once
// What the graph tables (graph_api.cpp, graph_api_moe.cpp, graph_api_heads.cpp) share: the one
// guard every operation runs in, and the checks of their inputs.
#include <algorithm>
#include <cstddef>
#include <cstring>
#include <new>
#include <string>

#include "graph/graph.hpp"

namespace rbee::graph_api_support {

inline Graph& G(rbee_graph* g) { return *reinterpret_cast<Graph*>(g); }
inline const Graph& G(const rbee_graph* g) { return *reinterpret_cast<const Graph*>(g); }

inline bool is_activation(const Node& n) { return n.kind != OpKind::Weight && n.kind != OpKind::Tokens; }

inline bool float_weight_type(DType t) { return t == DType::F32 || t == DType::F16 || t == DType::BF16; }

inline std::string shape(const Node& n) { return "[" + std::to_string(n.rows) + ", " + std::to_string(n.cols) + "]"; }

inline std::string weight_name(const Node& n) { return n.weight ? n.weight->name : std::string("(activation)"); }

// Records a type the kernels cannot read (RBEE_ERROR_UNSUPPORTED).
inline rbee_tensor fail_unsupported_type(Graph& g, const TensorView& t) {
  return g.fail("tensor " + t.name + " has type " + std::string(dtype_name(t.dtype)) +
                    ", which rbee cannot run (supported: f32, f16, bf16, q8_0, q4_0, q4_1, q5_0, q5_1, q2_K, q3_K, "
                    "q4_K, q5_K, q6_K, iq4_nl, mxfp4)",
                RBEE_ERROR_UNSUPPORTED);
}

// Records "op: what" with status, or the status alone when even the message cannot be made.
inline rbee_tensor fail_quietly(Graph& g, const char* op, const char* what, rbee_status status) noexcept {
  try {
    return g.fail(std::string(op) + ": " + what, status);
  } catch (...) {
    return g.fail(std::string(), status);
  }
}

// Runs an operation's body unless the graph is NULL or has failed already; whatever the body
// throws becomes the graph's error. Every entry point that builds reaches its body through here,
// so nothing is thrown to the plugin.
template <typename Fn>
rbee_tensor guarded(rbee_graph* g, const char* op, Fn fn) noexcept {
  if (g == nullptr || G(g).failed()) return RBEE_TENSOR_NONE;
  try {
    return fn(G(g));
  } catch (const std::bad_alloc&) {
    return fail_quietly(G(g), op, "out of memory", RBEE_ERROR_OUT_OF_MEMORY);
  } catch (const std::exception& e) {
    return fail_quietly(G(g), op, e.what(), RBEE_ERROR_INTERNAL);
  } catch (...) {
    return fail_quietly(G(g), op, "unknown exception", RBEE_ERROR_INTERNAL);
  }
}

// Checks that t is a valid activation handle; records why not.
inline bool activation(Graph& g, rbee_tensor t, const char* op, const char* what) {
  if (!g.valid(t))
    return g.fail(std::string(op) + ": " + what + " is not a tensor of this graph", RBEE_ERROR_INVALID_ARGUMENT), false;
  if (!is_activation(g.node(t)))
    return g.fail(std::string(op) + ": " + what + " must be an activation", RBEE_ERROR_INVALID_ARGUMENT), false;
  return true;
}

// Checks an optional float weight of `groups` vectors of `size` elements, stacked: [groups, size]
// or flat [groups * size] (per-group norm weights); one group is a 1-D weight (norm weight, bias).
inline bool stacked_weight(Graph& g, rbee_tensor t, uint32_t groups, uint32_t size, const char* op, const char* what) {
  if (t == RBEE_TENSOR_NONE) return true;
  if (!g.valid(t) || g.node(t).kind != OpKind::Weight)
    return g.fail(std::string(op) + ": " + what + " must be a weight", RBEE_ERROR_INVALID_ARGUMENT), false;
  const Node& w = g.node(t);
  const uint64_t total = uint64_t(groups) * size;
  const bool flat = w.rows == 1 && w.cols == total, stacked = w.rows == groups && w.cols == size;
  if (!flat && !stacked) {
    const std::string expected = groups == 1 ? "[" + std::to_string(size) + "]"
                                             : "[" + std::to_string(groups) + ", " + std::to_string(size) + "] or [" +
                                                   std::to_string(total) + "]";
    return g.fail(std::string(op) + ": " + what + " " + weight_name(w) + " has shape " + shape(w) + ", expected " +
                  expected), false;
  }
  if (!float_weight_type(w.weight->dtype))
    return g.fail(std::string(op) + ": " + what + " " + weight_name(w) + " has type " +
                  std::string(dtype_name(w.weight->dtype)) + ", expected F32, F16 or BF16"), false;
  return true;
}

inline bool vector_weight(Graph& g, rbee_tensor t, uint32_t cols, const char* op, const char* what) {
  return stacked_weight(g, t, 1, cols, op, what);
}

// A plugin's params struct as this host knows it, or false when it is NULL or smaller than
// ABI 2.0's struct (size_2_0 bytes: the offset of the first field a later minor added, for the
// structs that grew). Fields past the plugin's struct_size read as zero; a plugin of a later
// minor may pass a larger struct: its tail is not read.
template <typename T>
bool read_params(const T* p, T& out, size_t size_2_0 = sizeof(T)) {
  if (p == nullptr || p->struct_size < size_2_0) return false;
  std::memset(&out, 0, sizeof(T));
  std::memcpy(&out, p, std::min<size_t>(p->struct_size, sizeof(T)));
  out.struct_size = sizeof(T);
  return true;
}

// Records that an op's params are missing or too small.
inline rbee_tensor fail_params(Graph& g, const char* op) {
  return g.fail(std::string(op) + ": bad params (NULL, or struct_size below ABI 2.0's)", RBEE_ERROR_INVALID_ARGUMENT);
}

// An elementwise op of a (and b, optional) on g (graph_api.cpp); the callers run it inside
// guarded(). factor2: the op's second parameter (clamped_swiglu's limit).
rbee_tensor add_elementwise(Graph& g, const char* op, rbee_tensor a, rbee_tensor b, uint32_t code, float factor,
                            float factor2 = 0.0f);

// moe_linear's node (graph_api_moe.cpp), with the chosen experts' biases [n_expert, out] when
// biases is not RBEE_TENSOR_NONE; the callers run it inside guarded().
rbee_tensor add_moe_linear(Graph& g, rbee_tensor x, rbee_tensor experts, rbee_tensor routing, rbee_tensor biases);

}  // namespace rbee::graph_api_support
