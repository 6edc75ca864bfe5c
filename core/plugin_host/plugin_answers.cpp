#include "plugin_host/plugin_answers.hpp"

#include <cstdint>

namespace rbee {

namespace {

constexpr uint32_t kMaxVocab = 1u << 24;  // the largest vocabularies are about 2^18
constexpr uint32_t kMaxLayers = 1u << 16;
constexpr uint32_t kMaxHeads = 1u << 16;
constexpr uint32_t kMaxHeadDim = 1u << 16;

std::string out_of_range(const char* field, uint32_t value, uint32_t low, uint32_t high) {
  return std::string(field) + " is " + std::to_string(value) + ", outside " + std::to_string(low) + ".." +
         std::to_string(high);
}

}  // namespace

std::string implausible_model_info(const rbee_model_info& info) {
  if (info.n_vocab == 0 || info.n_vocab > kMaxVocab) return out_of_range("n_vocab", info.n_vocab, 1, kMaxVocab);
  if (info.n_layers > kMaxLayers) return out_of_range("n_layers", info.n_layers, 0, kMaxLayers);
  return {};
}

std::string implausible_kv_layout(const rbee_kv_layout& layout) {
  if (layout.n_kv_heads > kMaxHeads) return out_of_range("n_kv_heads", layout.n_kv_heads, 0, kMaxHeads);
  if (layout.head_dim_k > kMaxHeadDim) return out_of_range("head_dim_k", layout.head_dim_k, 0, kMaxHeadDim);
  if (layout.head_dim_v > kMaxHeadDim) return out_of_range("head_dim_v", layout.head_dim_v, 0, kMaxHeadDim);
  return {};
}

}  // namespace rbee
