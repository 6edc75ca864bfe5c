// Vocab from GGUF metadata, with llama.cpp's defaults where a key is absent.
#include <stdexcept>
#include <string>

#include "formats/model_source.hpp"
#include "tokenizer/vocab_loaders.hpp"

namespace rbee {
namespace {

[[noreturn]] void fail(const ModelSource& src, std::string_view key, const std::string& what) {
  throw std::runtime_error(src.path().string() + ": " + std::string(key) + ": " + what);
}

// The value of a key as T, naming the file and key when it has another type.
template <typename T>
T value_as(const ModelSource& src, std::string_view key, const nlohmann::json& v) {
  try {
    return v.get<T>();
  } catch (const nlohmann::json::exception&) {
    fail(src, key, "has the wrong type (" + std::string(v.type_name()) + ")");
  }
}

template <typename T>
bool read_array(const ModelSource& src, std::string_view key, bool required, std::vector<T>& into) {
  const nlohmann::json* v = src.meta(key);
  if (v && !v->is_array()) fail(src, key, "is not an array");
  if (!v && required) throw std::runtime_error(src.path().string() + ": missing " + std::string(key));
  if (v) into = value_as<std::vector<T>>(src, key, *v);
  return v != nullptr;
}

template <typename T>
void read_scalar(const ModelSource& src, std::string_view key, T& into) {
  if (const nlohmann::json* v = src.meta(key)) into = value_as<T>(src, key, *v);
}

// A per-token array holds one entry per token.
void check_per_token(const ModelSource& src, std::string_view key, size_t entries, size_t tokens) {
  if (entries != 0 && entries != tokens)
    fail(src, key, std::to_string(entries) + " entries for " + std::to_string(tokens) + " tokens in tokenizer.ggml.tokens");
}

// Every row of the token embedding is a token: a shorter list would leave ids the model can
// produce without text.
void check_covers_embedding(const ModelSource& src, size_t tokens) {
  const TensorView* embedding = src.tensor("token_embd.weight");
  if (embedding == nullptr || embedding->shape.empty()) return;
  const uint64_t rows = embedding->shape.front();
  if (tokens < rows)
    fail(src, "tokenizer.ggml.tokens", "lists " + std::to_string(tokens) + " tokens, but token_embd.weight has " +
                                           std::to_string(rows) + " rows (one per token)");
}

}  // namespace

Vocab vocab_from_gguf(const ModelSource& src) {
  Vocab v;
  std::string model;
  read_scalar(src, "tokenizer.ggml.model", model);
  if (model == "llama") {
    v.model = VocabModel::SentencePiece;
    v.add_space_prefix = true;
    v.add_bos = true;
  } else if (model == "gpt2") {
    v.model = VocabModel::ByteLevelBpe;
  } else {
    throw std::runtime_error(src.path().string() + ": unsupported tokenizer.ggml.model '" +
                             model + "' (expected llama or gpt2)");
  }

  read_array(src, "tokenizer.ggml.tokens", true, v.tokens);
  check_covers_embedding(src, v.tokens.size());
  read_array(src, "tokenizer.ggml.scores", false, v.scores);
  check_per_token(src, "tokenizer.ggml.scores", v.scores.size(), v.tokens.size());
  std::vector<int32_t> types;
  read_array(src, "tokenizer.ggml.token_type", false, types);
  check_per_token(src, "tokenizer.ggml.token_type", types.size(), v.tokens.size());
  for (int32_t t : types) v.types.push_back(TokenType(t));
  read_array(src, "tokenizer.ggml.merges", false, v.merges);
  if (v.model == VocabModel::ByteLevelBpe && v.merges.empty())
    throw std::runtime_error(src.path().string() + ": gpt2 tokenizer without tokenizer.ggml.merges");

  read_scalar(src, "tokenizer.ggml.bos_token_id", v.bos);
  read_scalar(src, "tokenizer.ggml.eos_token_id", v.eos);
  read_scalar(src, "tokenizer.ggml.eot_token_id", v.eot);
  read_scalar(src, "tokenizer.ggml.unknown_token_id", v.unk);
  read_scalar(src, "tokenizer.ggml.padding_token_id", v.pad);
  read_scalar(src, "tokenizer.ggml.add_bos_token", v.add_bos);
  read_scalar(src, "tokenizer.ggml.add_eos_token", v.add_eos);
  read_scalar(src, "tokenizer.ggml.add_space_prefix", v.add_space_prefix);
  read_scalar(src, "tokenizer.ggml.pre", v.pre);
  if (v.model == VocabModel::ByteLevelBpe && (v.pre == "llama-bpe" || v.pre == "llama3"))
    v.ignore_merges = true;  // as llama.cpp sets for Llama 3
  return v;
}

}  // namespace rbee
