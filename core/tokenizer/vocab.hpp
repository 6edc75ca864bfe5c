#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace rbee {

// Token kinds, numbered as in GGUF `tokenizer.ggml.token_type` and SentencePiece's piece type.
enum class TokenType : int32_t {
  Undefined = 0,
  Normal = 1,
  Unknown = 2,
  Control = 3,
  UserDefined = 4,
  Unused = 5,
  Byte = 6,
};

enum class VocabModel {
  SentencePiece,  // score-driven BPE over UTF-8 characters, spaces as U+2581, <0xXX> fallback
  ByteLevelBpe,   // merge-rank BPE over GPT-2 byte-mapped text, regex pre-tokenizer
};

// Everything a tokenizer needs, whatever file it came from. Token strings are raw bytes.
struct Vocab {
  VocabModel model = VocabModel::SentencePiece;
  std::vector<std::string> tokens;
  std::vector<float> scores;     // empty or one per token
  std::vector<TokenType> types;  // empty (all Normal) or one per token
  std::vector<std::string> merges;  // "left right", rank = index (byte-level BPE)

  int32_t bos = -1, eos = -1, eot = -1, unk = -1, pad = -1;
  bool add_bos = false;
  bool add_eos = false;
  bool add_space_prefix = false;  // SentencePiece: prepend a space to the text

  // Pre-tokenizer (byte-level BPE): a llama.cpp `tokenizer.ggml.pre` name, or, when `pre` is
  // empty, `pre_regexes` applied one after another (tokenizer.json's Split patterns).
  std::string pre = "default";
  std::vector<std::string> pre_regexes;
  bool ignore_merges = false;  // a pre-token that is itself a token skips merging (Llama 3)
  bool normalize_nfc = false;  // tokenizer.json's NFC normalizer (Qwen)

  // SentencePiece normalizer from a tokenizer.model (empty charsmap = identity).
  std::string precompiled_charsmap;
  bool remove_extra_whitespaces = false;
};

}  // namespace rbee
