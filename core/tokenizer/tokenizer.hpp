#pragma once
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "tokenizer/token_index.hpp"
#include "tokenizer/vocab.hpp"

namespace rbee {

class ModelSource;
class ByteLevelBpe;

class Tokenizer {
 public:
  explicit Tokenizer(Vocab vocab);
  ~Tokenizer();

  // GGUF metadata `tokenizer.ggml.*` ("llama" = SentencePiece, "gpt2" = byte-level BPE).
  static std::unique_ptr<Tokenizer> from_gguf(const ModelSource& source);
  // tokenizer.json if present, else tokenizer.model; special ids and add_bos from
  // tokenizer_config.json / config.json.
  static std::unique_ptr<Tokenizer> from_hf_folder(const std::filesystem::path& folder);
  // Whichever of the above `path` is: a GGUF file, a folder, or a tokenizer.json /
  // tokenizer.model file (with the tokenizer_config.json / config.json beside it).
  static std::unique_ptr<Tokenizer> from_path(const std::filesystem::path& path);

  // `add_special`: BOS/EOS as the vocabulary asks. `parse_special`: text equal to a control
  // token's content becomes that token (user-defined tokens always do).
  std::vector<int32_t> encode(std::string_view text, bool add_special, bool parse_special) const;

  // The bytes a token stands for: <0xXX> -> that byte, U+2581 -> space (SentencePiece), GPT-2
  // byte mapping undone (byte-level BPE; its added tokens are plain text already). Control
  // tokens (BOS, EOS, ...) give "".
  std::string token_to_piece(int32_t id) const;

  // The text of a whole sequence, as the model's decoder gives it: control tokens as their
  // content unless `skip_special`; SentencePiece's space prefix removed from the start.
  // Throws std::out_of_range naming an id outside the vocabulary.
  std::string decode(std::span<const int32_t> ids, bool skip_special) const;

  int32_t bos() const { return vocab_.bos; }
  int32_t eos() const { return vocab_.eos; }
  bool add_bos() const { return vocab_.add_bos; }
  bool is_end_of_generation(int32_t id) const { return end_of_generation_.count(id) > 0; }
  size_t vocab_size() const { return vocab_.tokens.size(); }
  const Vocab& vocab() const { return vocab_; }

 private:
  struct Fragment {
    int32_t token;          // -1 for text
    std::string_view text;
  };
  std::vector<Fragment> split_special(std::string_view text, bool parse_special) const;
  TokenType type_of(int32_t id) const;

  Vocab vocab_;
  TokenIndex index_;
  std::unique_ptr<ByteLevelBpe> bpe_;
  std::vector<int32_t> special_longest_first_;
  std::unordered_set<int32_t> end_of_generation_;
};

}  // namespace rbee
