#include "synth/file_type.hpp"

#include <cctype>
#include <stdexcept>
#include <string>

namespace rbee::synth {

namespace {

constexpr FileTypeInfo kTypes[] = {
    {FileType::F32, "f32", 0, DType::F32},
    {FileType::F16, "f16", 1, DType::F16},
    {FileType::BF16, "bf16", 32, DType::BF16},
    {FileType::Q8_0, "q8_0", 7, DType::Q8_0},
    {FileType::Q4_0, "q4_0", 2, DType::Q4_0},
    {FileType::Q4_1, "q4_1", 3, DType::Q4_1},
    {FileType::Q5_0, "q5_0", 8, DType::Q5_0},
    {FileType::Q5_1, "q5_1", 9, DType::Q5_1},
    {FileType::Q2_K, "q2_k", 10, DType::Q2_K},
    {FileType::Q3_K_M, "q3_k_m", 12, DType::Q3_K},
    {FileType::Q4_K_M, "q4_k_m", 15, DType::Q4_K},
    {FileType::Q5_K_M, "q5_k_m", 17, DType::Q5_K},
    {FileType::Q6_K, "q6_k", 18, DType::Q6_K},
    {FileType::IQ4_NL, "iq4_nl", 25, DType::IQ4_NL},
    {FileType::MXFP4, "mxfp4", 38, DType::MXFP4},  // LLAMA_FTYPE_MOSTLY_MXFP4_MOE
};

bool quantized(DType t) { return t != DType::F32 && t != DType::F16 && t != DType::BF16; }

uint32_t block(DType t) { return dtype_traits(static_cast<uint32_t>(t))->block_elems; }

// llama.cpp's use_more_bits: the first and last eighth of the layers and every third between.
bool use_more_bits(int i, int n) { return i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2; }

// llama.cpp's tensor_type_fallback for rows that are not a multiple of the type's block.
DType fallback(DType t, uint64_t ncols) {
  if (ncols % block(t) == 0) return t;
  DType r;
  switch (t) {
    case DType::Q2_K: case DType::Q3_K: r = DType::Q4_0; break;
    case DType::Q4_K: r = DType::Q5_0; break;
    case DType::Q5_K: r = DType::Q5_1; break;
    case DType::Q6_K: r = DType::Q8_0; break;
    default: r = DType::F16; break;
  }
  return ncols % block(r) == 0 ? r : DType::F16;
}

DType mix(FileType ft, DType t, rbee_tensor_id role, int layer, std::span<const uint64_t> ne, const MixContext& c) {
  const int n = static_cast<int>(c.n_layer);
  const uint64_t nx = ne[0];
  if (role == RBEE_T_OUTPUT || (c.tied_embeddings && role == RBEE_T_TOKEN_EMBD)) {
    if (ft == FileType::MXFP4 || nx % block(t) != 0) return DType::Q8_0;
    return t != DType::Q8_0 ? DType::Q6_K : t;
  }
  // MXFP4_MOE: tensors with more than one matrix (ne[2] > 1: stacked experts) MXFP4, the rest Q8_0.
  // llama.cpp tests ne[2] only, so deepseek2's per-head attn_k_b / attn_v_b (ne[2] = n_head)
  // become MXFP4 as well.
  if (ft == FileType::MXFP4) return ne.size() > 2 && ne[2] > 1 ? DType::MXFP4 : DType::Q8_0;
  // llama.cpp matches names by substring: "ffn_down" takes ffn_down_exps and deepseek2's
  // ffn_down_shexp too (the layer parsed from the name, out of n_layer blocks, as for any model
  // with experts), "ffn_gate"/"ffn_up" the gate/up experts and shared experts (which keep the
  // default type in every file type here). deepseek2's attention tensors match none of its
  // rules: attn_kv_a_mqa, attn_k_b and attn_v_b ("attn_k_b.weight" is not "attn_k.weight", and
  // only attn_kv_b, absent from split files, counts as an attn_v) keep the default type, then
  // fall back by row length (attn_k_b's rows are qk_nope = 128 long: Q4_K -> Q5_0, Q6_K -> Q8_0).
  if (role == RBEE_T_FFN_DOWN_EXPS || role == RBEE_T_FFN_DOWN_SHEXP) role = RBEE_T_FFN_DOWN;
  switch (role) {
    case RBEE_T_ATTN_V:
      if (ft == FileType::Q2_K) t = c.n_gqa >= 4 ? DType::Q4_K : DType::Q3_K;
      else if (ft == FileType::Q3_K_M) t = layer < 2 ? DType::Q5_K : DType::Q4_K;
      else if (ft == FileType::IQ4_NL && c.n_gqa >= 4) t = DType::Q5_K;
      else if ((ft == FileType::Q4_K_M || ft == FileType::Q5_K_M) && use_more_bits(layer, n)) t = DType::Q6_K;
      if (c.n_expert == 8) t = DType::Q8_0;
      return t;
    case RBEE_T_ATTN_K:
      return c.n_expert == 8 ? DType::Q8_0 : t;
    case RBEE_T_FFN_DOWN:
      if (ft == FileType::Q2_K) return DType::Q3_K;
      if (ft == FileType::Q3_K_M) return layer < n / 16 ? DType::Q5_K : DType::Q4_K;  // arch != falcon
      if (ft == FileType::Q4_K_M) return use_more_bits(layer, n) ? DType::Q6_K : t;
      if (ft == FileType::IQ4_NL && layer < n / 8) return DType::Q5_K;  // without an imatrix
      if (ft == FileType::Q5_K_M && use_more_bits(layer, n)) return DType::Q6_K;
      return t;
    case RBEE_T_ATTN_OUT:
      if (c.n_expert == 8) {
        if (ft == FileType::Q2_K || ft == FileType::Q3_K_M || ft == FileType::IQ4_NL || ft == FileType::Q4_K_M)
          return DType::Q5_K;
        return t;
      }
      if (ft == FileType::Q2_K) return DType::Q3_K;
      if (ft == FileType::Q3_K_M) return DType::Q4_K;
      return t;
    default:
      return t;
  }
}

}  // namespace

std::span<const FileTypeInfo> file_types() { return kTypes; }

const FileTypeInfo& info(FileType type) {
  for (const auto& t : kTypes)
    if (t.type == type) return t;
  throw std::invalid_argument("unknown file type");
}

std::optional<FileType> parse_file_type(std::string_view name) {
  std::string lower(name);
  for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  for (const auto& t : kTypes)
    if (t.name == lower) return t.type;
  return std::nullopt;
}

DType tensor_type(FileType type, rbee_tensor_id role, int layer, std::span<const uint64_t> ne, const MixContext& ctx) {
  // llama-quantize leaves 1-D tensors and norms as they are: F32 in converted files.
  // The MoE router (ffn_gate_inp) is F32 too: convert_hf_to_gguf always writes FFN_GATE_INP in
  // F32, and llama-quantize never quantizes a name containing "ffn_gate_inp.weight".
  // Biases (gpt-oss's experts' are 2-D) keep F32: llama-quantize quantizes only ".weight" names.
  if (ne.size() < 2 || role == RBEE_T_ATTN_NORM || role == RBEE_T_FFN_NORM ||
      role == RBEE_T_OUTPUT_NORM || role == RBEE_T_ROPE_FREQS || role == RBEE_T_ATTN_Q_NORM ||
      role == RBEE_T_ATTN_K_NORM || role == RBEE_T_ATTN_KV_A_NORM || role == RBEE_T_FFN_GATE_INP ||
      role == RBEE_T_FFN_GATE_EXPS_BIAS || role == RBEE_T_FFN_UP_EXPS_BIAS || role == RBEE_T_FFN_DOWN_EXPS_BIAS)
    return DType::F32;
  const DType def = info(type).default_type;
  if (!quantized(def)) return def;
  return fallback(mix(type, def, role, layer, ne, ctx), ne[0]);
}

}  // namespace rbee::synth
