// Vocab from GGUF metadata, with llama.cpp's defaults where a key is absent.
#include <stdexcept>
#include <string>

#include "formats/model_source.hpp"
#include "tokenizer/vocab_loaders.hpp"

namespace rbee {
namespace {

const nlohmann::json* array_key(const ModelSource& src, std::string_view key, bool required) {
  const nlohmann::json* v = src.meta(key);
  if (v && !v->is_array())
    throw std::runtime_error(src.path().string() + ": " + std::string(key) + " is not an array");
  if (!v && required)
    throw std::runtime_error(src.path().string() + ": missing " + std::string(key));
  return v;
}

template <typename T>
void read_scalar(const ModelSource& src, std::string_view key, T& into) {
  if (const nlohmann::json* v = src.meta(key)) into = v->get<T>();
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

  v.tokens = array_key(src, "tokenizer.ggml.tokens", true)->get<std::vector<std::string>>();
  if (const auto* scores = array_key(src, "tokenizer.ggml.scores", false))
    v.scores = scores->get<std::vector<float>>();
  if (const auto* types = array_key(src, "tokenizer.ggml.token_type", false))
    for (int32_t t : types->get<std::vector<int32_t>>()) v.types.push_back(TokenType(t));
  if (const auto* merges = array_key(src, "tokenizer.ggml.merges", false))
    v.merges = merges->get<std::vector<std::string>>();
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
