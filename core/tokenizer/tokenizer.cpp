#include "tokenizer/tokenizer.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <stdexcept>

#include "formats/model_source.hpp"
#include "util/mapped_file.hpp"

#include "tokenizer/byte_level.hpp"
#include "tokenizer/byte_level_bpe.hpp"
#include "tokenizer/spm_bpe.hpp"
#include "tokenizer/spm_normalizer.hpp"
#include "tokenizer/unicode_nfc.hpp"
#include "tokenizer/vocab_loaders.hpp"

namespace rbee {
namespace {

// Token texts that end a turn in the families we know, besides EOS/EOT (llama.cpp's list).
constexpr std::string_view kEndOfGenerationTexts[] = {
    "<|eot_id|>",    "<|im_end|>",      "<|end|>",   "<end_of_turn>",
    "<|endoftext|>", "<|end_of_text|>", "<|eom_id|>", "<|return|>",
    "<|call|>",      "<EOT>",           "<｜end▁of▁sentence｜>",
};

// In harmony (gpt-oss) <|end|> closes one message, such as the reasoning before the answer; the
// turn ends at <|return|> or <|call|>. A vocabulary with both of those is a harmony one (as
// llama.cpp decides): there <|end|> does not stop generation, as it does for Phi-3.
void keep_harmony_turns_going(const Vocab& vocab, std::unordered_set<int32_t>& end_of_generation) {
  auto id_of = [&](std::string_view text) -> std::optional<int32_t> {
    for (int32_t id : end_of_generation)
      if (vocab.tokens[id] == text) return id;
    return std::nullopt;
  };
  if (!id_of("<|return|>") || !id_of("<|call|>")) return;
  if (const auto end = id_of("<|end|>")) end_of_generation.erase(*end);
}

const std::string_view kEscapedSpace = "\xE2\x96\x81";

// Special ids a file names but the vocabulary lacks read as "none" (as llama.cpp does); before
// anything (the index's unk) can use them.
Vocab without_foreign_ids(Vocab v) {
  for (int32_t* id : {&v.bos, &v.eos, &v.eot, &v.unk, &v.pad})
    if (*id < 0 || size_t(*id) >= v.tokens.size()) *id = -1;
  return v;
}

}  // namespace

Tokenizer::Tokenizer(Vocab vocab) : vocab_(without_foreign_ids(std::move(vocab))), index_(vocab_) {
  const size_t n = vocab_.tokens.size();
  if (!vocab_.types.empty() && vocab_.types.size() != n)
    throw std::runtime_error("tokenizer: token_type count differs from token count");
  if (!vocab_.scores.empty() && vocab_.scores.size() != n)
    throw std::runtime_error("tokenizer: score count differs from token count");
  if (vocab_.model == VocabModel::ByteLevelBpe) bpe_ = std::make_unique<ByteLevelBpe>(vocab_, index_);

  for (int32_t id = 0; id < int32_t(n); ++id) {
    const TokenType t = type_of(id);
    if (t == TokenType::Control || t == TokenType::UserDefined || t == TokenType::Unknown)
      special_longest_first_.push_back(id);
    for (auto text : kEndOfGenerationTexts)
      if (vocab_.tokens[id] == text) end_of_generation_.insert(id);
  }
  std::stable_sort(special_longest_first_.begin(), special_longest_first_.end(),
                   [&](int32_t a, int32_t b) { return vocab_.tokens[a].size() > vocab_.tokens[b].size(); });
  for (int32_t id : {vocab_.eos, vocab_.eot})
    if (id >= 0) end_of_generation_.insert(id);
  keep_harmony_turns_going(vocab_, end_of_generation_);
}


Tokenizer::~Tokenizer() = default;

std::unique_ptr<Tokenizer> Tokenizer::from_gguf(const ModelSource& source) {
  return std::make_unique<Tokenizer>(vocab_from_gguf(source));
}

std::unique_ptr<Tokenizer> Tokenizer::from_hf_folder(const std::filesystem::path& folder) {
  Vocab vocab;
  if (std::filesystem::exists(folder / "tokenizer.json"))
    vocab = vocab_from_tokenizer_json(folder / "tokenizer.json");
  else if (std::filesystem::exists(folder / "tokenizer.model"))
    vocab = vocab_from_sentencepiece_model(folder / "tokenizer.model");
  else
    throw std::runtime_error(folder.string() + ": neither tokenizer.json nor tokenizer.model");
  apply_hf_configs(folder, vocab);
  return std::make_unique<Tokenizer>(std::move(vocab));
}

std::unique_ptr<Tokenizer> Tokenizer::from_path(const std::filesystem::path& path) {
  namespace fs = std::filesystem;
  if (fs::is_directory(path)) return from_hf_folder(path);
  if (!fs::exists(path)) throw std::runtime_error(path.string() + ": no such file or folder");
  const MappedFile file = MappedFile::open(path);  // refuses a FIFO or device before reading
  const std::string_view start(reinterpret_cast<const char*>(file.data()), std::min<uint64_t>(file.size(), 4));
  if (start == "GGUF") return from_gguf(*ModelSource::open(path));
  Vocab vocab;
  if (path.extension() == ".json")
    vocab = vocab_from_tokenizer_json(path);
  else if (path.extension() == ".model")
    vocab = vocab_from_sentencepiece_model(path);
  else
    throw std::runtime_error(path.string() +
                             ": not a tokenizer (expected a .gguf file, a tokenizer.json, a tokenizer.model "
                             "or a folder holding one)");
  apply_hf_configs(path.parent_path(), vocab);
  return std::make_unique<Tokenizer>(std::move(vocab));
}

TokenType Tokenizer::type_of(int32_t id) const {
  return vocab_.types.empty() ? TokenType::Normal : vocab_.types[id];
}

// Cuts special tokens out of the text, longest token first, as llama.cpp does.
std::vector<Tokenizer::Fragment> Tokenizer::split_special(std::string_view text,
                                                          bool parse_special) const {
  std::vector<Fragment> fragments;
  if (!text.empty()) fragments.push_back({-1, text});
  for (int32_t id : special_longest_first_) {
    if (!parse_special && type_of(id) != TokenType::UserDefined) continue;
    const std::string& content = vocab_.tokens[id];
    if (content.empty()) continue;
    std::vector<Fragment> next;
    for (const Fragment& f : fragments) {
      if (f.token >= 0) {
        next.push_back(f);
        continue;
      }
      std::string_view rest = f.text;
      for (size_t at; (at = rest.find(content)) != std::string_view::npos;) {
        if (at > 0) next.push_back({-1, rest.substr(0, at)});
        next.push_back({id, {}});
        rest.remove_prefix(at + content.size());
      }
      if (!rest.empty()) next.push_back({-1, rest});
    }
    fragments = std::move(next);
  }
  return fragments;
}

std::vector<int32_t> Tokenizer::encode(std::string_view text, bool add_special,
                                       bool parse_special) const {
  std::vector<int32_t> out;
  if (add_special && vocab_.add_bos && vocab_.bos >= 0) out.push_back(vocab_.bos);
  bool after_special = true;  // SentencePiece: a space prefix starts the text and follows tokens
  for (const Fragment& f : split_special(text, parse_special)) {
    if (f.token >= 0) {
      out.push_back(f.token);
      after_special = true;
    } else if (bpe_) {
      bpe_->encode(vocab_.normalize_nfc ? to_nfc(f.text) : std::string(f.text), out);
    } else {
      spm_bpe_encode(spm_normalize(f.text, vocab_, vocab_.add_space_prefix && after_special),
                     vocab_, index_, out);
      after_special = false;
    }
  }
  if (add_special && vocab_.add_eos && vocab_.eos >= 0) out.push_back(vocab_.eos);
  return out;
}

std::string Tokenizer::token_to_piece(int32_t id) const {
  if (id < 0 || size_t(id) >= vocab_.tokens.size()) return {};
  const std::string& text = vocab_.tokens[id];
  switch (type_of(id)) {
    case TokenType::Control:
      return {};
    case TokenType::Unknown:
      return text;
    case TokenType::UserDefined:
      // Added tokens are plain text in a byte-level vocabulary; SentencePiece's decoder still
      // turns their U+2581 into spaces (Gemma's "▁▁" tokens).
      if (bpe_) return text;
      break;
    case TokenType::Byte:
      // "<0xHH>"; a byte token of any other text (a malformed file) decodes as its text.
      if (text.size() == 6 && text.starts_with("<0x") && text[5] == '>' &&
          std::isxdigit(static_cast<unsigned char>(text[3])) && std::isxdigit(static_cast<unsigned char>(text[4])))
        return std::string(1, char(std::stoi(text.substr(3, 2), nullptr, 16)));
      break;
    default:
      break;
  }
  if (bpe_) return byte_level::decode(text).value_or(text);
  std::string piece;
  for (size_t pos = 0; pos < text.size();) {
    if (text.compare(pos, kEscapedSpace.size(), kEscapedSpace) == 0) {
      piece += ' ';
      pos += kEscapedSpace.size();
    } else {
      piece += text[pos++];
    }
  }
  return piece;
}

std::string Tokenizer::decode(std::span<const int32_t> ids, bool skip_special) const {
  std::string text;
  bool at_start = true;
  for (int32_t id : ids) {
    if (id < 0 || size_t(id) >= vocab_.tokens.size())
      throw std::out_of_range("token id " + std::to_string(id) + " is out of range (the vocabulary has " +
                              std::to_string(vocab_.tokens.size()) + " tokens, ids 0.." +
                              std::to_string(vocab_.tokens.size() - 1) + ")");
    if (type_of(id) != TokenType::Control) {
      std::string piece = token_to_piece(id);
      // The prefix the encoder added; only where the text starts, as SentencePiece does.
      if (at_start && vocab_.add_space_prefix && piece.starts_with(' ')) piece.erase(0, 1);
      text += piece;
      at_start = false;
    } else if (!skip_special) {
      text += vocab_.tokens[id];
      at_start = false;
    }
  }
  return text;
}

}  // namespace rbee
