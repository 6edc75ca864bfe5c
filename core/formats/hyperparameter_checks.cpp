#include "formats/hyperparameter_checks.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>

#include "formats/model_source.hpp"

namespace rbee {
namespace {

// A hyperparameter's key in each format: GGUF's without the "<architecture>." prefix.
struct Key {
  const char* gguf;
  const char* hf;
};

// Tensor names for each format, "%u" standing for a layer.
struct TensorNames {
  std::initializer_list<const char*> gguf;
  std::initializer_list<const char*> hf;
};

const TensorNames kTokenEmbedding{{"token_embd.weight"},
                                  {"model.embed_tokens.weight", "transformer.word_embeddings.weight",
                                   "transformer.wte.weight"}};
const TensorNames kDenseDown{{"blk.%u.ffn_down.weight"},
                             {"model.layers.%u.mlp.down_proj.weight", "model.layers.%u.mlp.fc2.weight",
                              "model.layers.%u.mlp.c_proj.weight", "transformer.h.%u.mlp.dense_4h_to_h.weight"}};
const TensorNames kRouter{{"blk.%u.ffn_gate_inp.weight"},
                          {"model.layers.%u.mlp.gate.weight", "model.layers.%u.block_sparse_moe.gate.weight"}};

class Checker {
 public:
  explicit Checker(const ModelSource& source) : source_(source), gguf_(source.format() == ModelSource::Format::Gguf) {
    if (gguf_) {
      const nlohmann::json* arch = source.meta("general.architecture");
      if (arch != nullptr && arch->is_string()) prefix_ = arch->get<std::string>() + ".";
    }
  }

  // The full key of the first of keys the file states as a number, and its value.
  std::optional<std::pair<std::string, double>> number(std::initializer_list<Key> keys) const {
    for (const Key& key : keys) {
      const char* name = gguf_ ? key.gguf : key.hf;
      if (name == nullptr) continue;
      const std::string full = gguf_ ? prefix_ + name : name;
      const nlohmann::json* v = source_.meta(full);
      if (v != nullptr && v->is_number()) return std::pair{full, v->get<double>()};
    }
    return std::nullopt;
  }

  // The first of names (for layer) that the file has, as a 2-D tensor.
  const TensorView* matrix(const TensorNames& names, uint32_t layer = 0) const {
    for (const char* pattern : gguf_ ? names.gguf : names.hf) {
      char name[160];
      std::snprintf(name, sizeof name, pattern, layer);
      const TensorView* t = source_.tensor(name);
      if (t != nullptr && t->shape.size() == 2) return t;
    }
    return nullptr;
  }

  // The first layer (below the layer count the file states) with one of names.
  const TensorView* first_layer_matrix(const TensorNames& names) const {
    const auto layers = number({{"block_count", "num_hidden_layers"}});
    const uint64_t n = layers && layers->second > 0 ? uint64_t(layers->second) : 1;
    for (uint64_t l = 0; l < n && l < source_.tensors().size(); ++l)
      if (const TensorView* t = matrix(names, uint32_t(l))) return t;
    return nullptr;
  }

  // A dimension of a tensor equals the hyperparameter that describes it.
  void same(std::initializer_list<Key> keys, const TensorView* t, size_t dim, const char* what) const {
    const auto stated = number(keys);
    if (!stated || t == nullptr) return;
    const uint64_t actual = t->shape[dim];
    if (stated->second != double(actual))
      fail(stated->first, value(stated->second) + ", but " + t->name + " has " + std::to_string(actual) + " " +
                              (dim == 0 ? "rows" : "columns") + " (" + what + ")");
  }

  // How many are used of how many there are.
  void at_most(std::initializer_list<Key> used_keys, std::initializer_list<Key> count_keys) const {
    const auto used = number(used_keys), count = number(count_keys);
    if (used && count && used->second > count->second)
      fail(used->first, value(used->second) + ", more than the " + value(count->second) + " of " + count->first);
  }

  void positive(std::initializer_list<Key> keys) const {
    for (const Key& key : keys) {
      const auto stated = number({key});
      if (stated && !(std::isfinite(stated->second) && stated->second > 0))
        fail(stated->first, value(stated->second) + ", expected a finite number > 0");
    }
  }

 private:
  [[noreturn]] void fail(const std::string& key, const std::string& what) const {
    const auto file = gguf_ ? source_.path() : source_.path() / "config.json";
    throw FormatError(file.string() + ": " + key + " is " + what);
  }
  static std::string value(double v) {
    if (v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(int64_t(v));
    char text[32];
    std::snprintf(text, sizeof text, "%g", v);
    return text;
  }

  const ModelSource& source_;
  bool gguf_;
  std::string prefix_;
};

}  // namespace

void check_hyperparameters(const ModelSource& source) {
  const Checker c(source);
  const TensorView* embedding = c.matrix(kTokenEmbedding);
  c.same({{"embedding_length", "hidden_size"}}, embedding, 1, "one per embedding dimension");
  c.same({{"vocab_size", "vocab_size"}}, embedding, 0, "one per token");
  c.same({{"feed_forward_length", "intermediate_size"}}, c.first_layer_matrix(kDenseDown), 1,
         "the feed-forward width");
  c.same({{"expert_count", "num_local_experts"}, {nullptr, "num_experts"}, {nullptr, "n_routed_experts"}},
         c.first_layer_matrix(kRouter), 0, "one per expert");
  c.at_most({{"expert_used_count", "num_experts_per_tok"}},
            {{"expert_count", "num_local_experts"}, {nullptr, "num_experts"}, {nullptr, "n_routed_experts"}});
  c.at_most({{"expert_group_used_count", "topk_group"}}, {{"expert_group_count", "n_group"}});
  c.positive({{"attention.layer_norm_rms_epsilon", "rms_norm_eps"},
              {"attention.layer_norm_epsilon", "layer_norm_eps"},
              {nullptr, "layer_norm_epsilon"},
              {nullptr, "norm_epsilon"},
              {"rope.freq_base", "rope_theta"},
              {"rope.scaling.factor", nullptr}});
}

}  // namespace rbee
