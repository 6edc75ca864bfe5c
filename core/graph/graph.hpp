#pragma once
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "formats/model_source.hpp"
#include "rbee/ext/experts.h"
#include "rbee/ext/heads.h"
#include "rbee/ext/moe.h"
#include "rbee/graph.h"

namespace rbee {

enum class OpKind {
  Tokens, Weight, Embed, Norm, Linear, Rope, Attention, Elementwise, OutputRows, Slice, Concat,
  MoeRoute, MoeLinear, MoeCombine  // MoeLinear without routing: head_linear
};

// Per-head matrices cut from a 2-D tensor (head_weights): rows [begin, begin + count) of each
// head's block of rows_per_head rows, used as they are or transposed (then decoded to float32).
struct HeadCut {
  uint32_t rows_per_head = 0;  // 0: not a cut
  uint32_t begin = 0, count = 0;
  bool transposed = false;
  auto operator<=>(const HeadCut&) const = default;
};

// Codes shared with shaders/elementwise.comp.
enum ElementwiseOp : uint32_t {
  kAdd = 0,
  kMul = 1,
  kScale = 2,
  kSoftcap = 3,  // factor * tanh(a / factor)
  kClampedSwiglu = 4,  // gpt-oss: alpha = factor, limit = factor2 (rbee/ext/experts.h)
  kSilu = 10,
  kGelu = 11,
  kGeluTanh = 12,
  kRelu = 13,
  kSigmoid = 14,
  kGated = 20,  // kGated + (activation - kSilu)
};

// One value of the graph: a 2-D float32 activation [rows, cols], the token ids, or a weight of
// the model file (rows x cols of its stored type; a 1-D weight is one row; experts' weights are
// n_expert such matrices, one 3-D tensor or expert_parts stacked).
struct Node {
  OpKind kind;
  std::vector<rbee_tensor> inputs;  // RBEE_TENSOR_NONE for an absent optional input
  uint32_t rows = 0;
  uint32_t cols = 0;
  const TensorView* weight = nullptr;  // OpKind::Weight (the first part of stacked experts)
  uint32_t n_expert = 0;                // > 0: experts' weights
  std::vector<const TensorView*> expert_parts;  // one 2-D tensor per expert, or empty
  HeadCut cut;                          // per-head matrices cut from `weight`
  rbee_moe_route_params moe{};          // MoeRoute; MoeLinear/MoeCombine copy n_used
  rbee_norm_params norm{};
  rbee_rope_params rope{};        // factors moved into rope_factors
  std::vector<float> rope_factors;  // per-pair divisors given by value, or empty
  rbee_attention_params attention{};
  uint32_t elementwise = 0;
  float factor = 1.0f;
  float factor2 = 0.0f;  // kClampedSwiglu's limit
  uint32_t slice_begin = 0;  // OpKind::Slice: first column taken of each group
  uint32_t groups = 1;       // OpKind::Slice, Concat: runs of columns per row
};

// Layout of a MoeRoute node's output for n tokens, E experts, k chosen, in 32-bit words (kept
// in the arena like any activation): per token k expert ids (as floats) then k weights; then, for
// batches, the rows of moe_linear's output per expert (E counts, then E lists of n row numbers),
// and the tiles of 8 listed rows that hold work (a count, then expert * 65536 + tile each), so
// that a batch dispatches only those.
struct RoutingLayout {
  static constexpr uint32_t kTileRows = 8;  // TOKENS of the moe_matmul variants
  uint32_t n, experts, k;
  uint64_t counts_offset() const { return uint64_t(n) * 2 * k; }
  uint64_t lists_offset() const { return counts_offset() + experts; }
  uint64_t tiles_offset() const { return lists_offset() + uint64_t(experts) * n; }
  // Every expert's rows rounded up to whole tiles: at most rows / 8 + one partial tile per expert.
  uint64_t max_tiles() const {
    uint64_t rows = uint64_t(n) * k;
    return rows / kTileRows + std::min<uint64_t>(experts, rows);
  }
  uint64_t words() const { return tiles_offset() + 1 + max_tiles(); }
};

// A forward pass for one batch shape, as built by a plugin through rbee_graph_api: n_tokens
// rows, and either every row's logits or n_outputs rows of them (output_rows gathers the rows
// the step names: the last token of each sequence that wants logits).
// Handles are 1-based indices into nodes().
class Graph {
 public:
  Graph(const ModelSource& source, uint32_t n_tokens, bool all_logits, uint32_t n_ctx, uint32_t n_outputs = 1)
      : source_(source), n_tokens_(n_tokens), all_logits_(all_logits), n_ctx_(n_ctx),
        n_outputs_(all_logits ? n_tokens : std::min(n_outputs, n_tokens)) {}

  const ModelSource& source() const { return source_; }
  uint32_t n_tokens() const { return n_tokens_; }
  bool all_logits() const { return all_logits_; }
  uint32_t n_outputs() const { return n_outputs_; }
  uint32_t n_ctx() const { return n_ctx_; }
  const std::vector<Node>& nodes() const { return nodes_; }
  const Node& node(rbee_tensor t) const { return nodes_.at(static_cast<size_t>(t - 1)); }
  rbee_tensor output() const { return output_; }
  // RBEE_OK, or the status of the first error recorded.
  rbee_status status() const { return status_; }
  bool failed() const { return status_ != RBEE_OK; }
  // The first error's message ("" when none, or when even storing it ran out of memory).
  const std::string& error() const { return error_; }

  // Appends a node, returning its handle; RBEE_TENSOR_NONE once an error was recorded.
  rbee_tensor add(Node node);
  // Records the first error (later ones are consequences) and returns RBEE_TENSOR_NONE. Never
  // throws: the status is kept even when the message cannot be.
  rbee_tensor fail(const std::string& message, rbee_status status = RBEE_ERROR_BAD_MODEL) noexcept;
  bool valid(rbee_tensor t) const { return t > 0 && static_cast<size_t>(t) <= nodes_.size(); }
  void set_output(rbee_tensor t) { output_ = t; }

 private:
  const ModelSource& source_;
  uint32_t n_tokens_;
  bool all_logits_;
  uint32_t n_ctx_;
  uint32_t n_outputs_;
  std::vector<Node> nodes_;
  rbee_tensor output_ = RBEE_TENSOR_NONE;
  rbee_status status_ = RBEE_OK;
  std::string error_;
};

// The type a Weight node's kernels read: its stored type, float32 for a transposed cut.
inline DType kernel_type(const Node& w) { return w.cut.transposed ? DType::F32 : w.weight->dtype; }

// Largest attention head (keys or values): MLA's latent heads are 576 wide. Heads past 256 run
// the attention kernel's wide variant.
constexpr uint32_t kMaxAttentionHeadDim = 1024;

// Weight types the matrix kernels (embedding, linear) read in their stored form: those
// shaders/CMakeLists.txt builds kernels for (graph/weight_kernel.cpp).
bool kernel_weight_type(DType t);

// The host's tables of graph operations over Graph (rbee_graph* is a Graph*): the base table and
// the extensions RBEE_EXT_GRAPH_MOE, RBEE_EXT_GRAPH_HEADS and RBEE_EXT_GRAPH_EXPERTS. Static storage.
const rbee_graph_api* graph_api();
const rbee_graph_moe_api* graph_moe_api();
const rbee_graph_heads_api* graph_heads_api();
const rbee_graph_experts_api* graph_experts_api();

}  // namespace rbee
