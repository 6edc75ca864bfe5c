#pragma once
// What the executor's recorders share: the push-constant layouts of the kernels (each mirrors
// the push_constant block of its shader in shaders/) and the dispatch arithmetic.
#include <cstddef>
#include <cstdint>

#include "graph/graph.hpp"
#include "vulkan/kernels.hpp"

namespace rbee::dispatch {

// The kernels that exist once, by enumerator (vulkan/kernels.hpp): dispatch(Kernel::Norm, ...).
using vk::Kernel;

constexpr uint32_t kMaxGroups = 65535;
constexpr uint32_t kMatmulTokensPerGroup = 8;  // TOKENS_PER_GROUP in shaders/matmul.comp
constexpr uint32_t kSubgroupTokens = 8;        // TOKENS of the matmul_subgroup_* variants
constexpr uint32_t kGateUpMaxRows = 4;         // MAX_ROWS / 2 of shaders/matmul_subgroup.glsl (GATE_UP)

inline uint32_t div_up(uint64_t a, uint64_t b) { return static_cast<uint32_t>((a + b - 1) / b); }

// Bytes of one row of a weight in its stored type.
inline uint64_t weight_row_bytes(const Node& w) {
  auto traits = dtype_traits(static_cast<uint32_t>(w.weight->dtype));
  return uint64_t(w.cols) / traits->block_elems * traits->block_bytes;
}

struct NormPush { uint32_t n_runs, cols; float eps; float weight_offset; uint32_t layer_norm, has_weight, has_bias, weight_groups; };
struct MatmulPush { uint32_t k, n, rows, has_bias, groups_x, ldo; };
struct SubgroupMatmulPush { uint32_t k, n, tokens, has_bias, groups_x, act, has_residual; float norm_eps, norm_offset; uint32_t ldo; };
// shaders/matmul_rows.comp's block: the values of SubgroupMatmulPush before norm_eps.
constexpr uint32_t kRowsMatmulPushBytes = offsetof(SubgroupMatmulPush, norm_eps);
struct EmbedPush { uint32_t dim, n_rows, first, count; };
struct RopePush { uint32_t n_heads, head_dim, n_rot, neox, has_factors; float attn_factor; };
struct KvStorePush { uint32_t k_dim, v_dim, ring, table_stride; };
struct KvStoreRopePush { KvStorePush store; RopePush rope; };

inline RopePush rope_push(const Node& rope) {
  const rbee_rope_params& p = rope.rope;
  return {p.n_heads, p.head_dim, p.n_rot, p.mode == RBEE_ROPE_NEOX, rope.inputs[1] != RBEE_TENSOR_NONE, p.attn_factor};
}
struct AttentionPush { uint32_t n_heads, n_kv_heads, dk, dv; float scale, softcap; uint32_t window, ring, v_stride, v_head, table_stride, has_sinks; };
struct AttentionRopePush { AttentionPush attention; RopePush rope; };
struct ElementwisePush { uint32_t n, op, b_len; float factor; uint32_t b_div; float factor2; };
struct SlicePush { uint32_t rows, in_cols, begin, count, groups; };
struct MoeRoutePush { uint32_t n_tokens, n_expert, k, sigmoid, normalize; float scale; uint32_t n_group, topk_group, group_top, has_bias; };
struct MoeBucketPush { uint32_t n_tokens, n_expert, k; };
struct MoeMatmulPush { uint32_t k, n, tokens, has_bias, groups_x, act, has_residual; float norm_eps, norm_offset; uint32_t ldo, n_used, x_per_slot, n_expert, tiles, identity, expert_bias; };
struct ConcatPush { uint32_t rows, a_cols, b_cols, groups; };
struct MoeCombinePush { uint32_t n_tokens, cols, k; };
// shaders/step.glsl: a header, then per token (position, slot), per segment (first token,
// count), per output row its token row.
struct StepHeader { uint32_t n_tokens, n_segments, n_outputs, reserved; };
inline uint64_t step_words(uint32_t n_tokens) { return 4 + 5 * uint64_t(n_tokens); }

}  // namespace rbee::dispatch
