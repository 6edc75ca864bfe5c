// Vocab from Hugging Face files: tokenizer.json (BPE model, byte-level or SentencePiece-style)
// and the special-token settings in tokenizer_config.json / config.json.
#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "tokenizer/regex_splitter.hpp"
#include "tokenizer/token_index.hpp"
#include "tokenizer/vocab_loaders.hpp"
#include "util/read_file.hpp"

namespace rbee {
namespace {

using nlohmann::json;

json read_json(const std::filesystem::path& path) {
  const std::string text = read_regular_file(path);
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    throw std::runtime_error(path.string() + ": " + e.what());
  }
}

// Every node of a possibly nested {"type": "Sequence", <list_key>: [...]} tree, in order.
std::vector<json> flatten(const json& node, const char* list_key) {
  if (node.is_null()) return {};
  if (node.value("type", "") == "Sequence") {
    std::vector<json> all;
    for (const json& child : node.at(list_key)) {
      auto sub = flatten(child, list_key);
      all.insert(all.end(), sub.begin(), sub.end());
    }
    return all;
  }
  return {node};
}

std::string literal_regex(const std::string& s) { return "\\Q" + s + "\\E"; }

// Byte-level BPE: a ByteLevel step in the pre-tokenizer chain or a ByteLevel decoder.
bool is_byte_level(const json& tj) {
  for (const json& step : flatten(tj.value("pre_tokenizer", json()), "pretokenizers"))
    if (step.value("type", "") == "ByteLevel") return true;
  return tj.value("decoder", json()).value("type", "") == "ByteLevel";
}

// Regexes of a byte-level pre-tokenizer chain.
std::vector<std::string> byte_level_regexes(const json& pre) {
  std::vector<std::string> regexes;
  for (const json& step : flatten(pre, "pretokenizers")) {
    const std::string type = step.value("type", "");
    if (type == "ByteLevel") {
      if (step.value("use_regex", true)) {
        const auto gpt2 = pre_tokenizer_regexes("gpt2");
        regexes.insert(regexes.end(), gpt2.begin(), gpt2.end());
      }
    } else if (type == "Split") {
      if (step.value("behavior", "") != "Isolated" || step.value("invert", false))
        throw std::runtime_error("Split pre-tokenizer: only Isolated, non-inverted is supported");
      const json& pattern = step.at("pattern");
      regexes.push_back(pattern.contains("Regex") ? pattern.at("Regex").get<std::string>()
                                                  : literal_regex(pattern.at("String")));
    } else if (type == "Digits") {
      regexes.push_back(step.value("individual_digits", false) ? "\\p{N}" : "\\p{N}+");
    } else {
      throw std::runtime_error("unsupported pre_tokenizer '" + type + "'");
    }
  }
  return regexes;
}

// Byte-level BPE: the normalizers rbee applies (NFC), none at all, or an error.
bool byte_level_nfc(const json& normalizer) {
  bool nfc = false;
  for (const json& step : flatten(normalizer, "normalizers")) {
    if (step.value("type", "") != "NFC")
      throw std::runtime_error("unsupported normalizer '" + step.value("type", "") + "' for a byte-level BPE");
    nfc = true;
  }
  return nfc;
}

// SentencePiece-style BPE encodes each text fragment whole, with spaces already turned into
// U+2581 by the normalizer. So Metaspace only decides the space prefix, and a Split on the
// string " " (Gemma's) never finds a space to split at; anything else would change the result.
void check_sentencepiece_pre_tokenizer(const json& pre) {
  for (const json& step : flatten(pre, "pretokenizers")) {
    const std::string type = step.value("type", "");
    const bool split_on_space = type == "Split" && step.at("pattern").value("String", "") == " ";
    if (type != "Metaspace" && !split_on_space)
      throw std::runtime_error("unsupported pre_tokenizer '" + type + "' for a SentencePiece-style BPE");
  }
}

// SentencePiece-style tokenizer.json: a leading ▁ from Metaspace or a Prepend normalizer.
bool adds_space_prefix(const json& tj) {
  for (const json& step : flatten(tj.value("pre_tokenizer", json()), "pretokenizers"))
    if (step.value("type", "") == "Metaspace")
      return step.value("prepend_scheme", "always") != "never" && step.value("add_prefix_space", true);
  for (const json& step : flatten(tj.value("normalizer", json()), "normalizers"))
    if (step.value("type", "") == "Prepend") return true;
  return false;
}

// BOS/EOS the post-processor's single-sequence template wraps around the text.
void read_post_processor(const json& post, Vocab& v) {
  for (const json& step : flatten(post, "processors")) {
    if (step.value("type", "") != "TemplateProcessing" || !step.contains("single")) continue;
    const json& single = step.at("single");
    auto special_id = [&](const json& item) -> int32_t {
      if (!item.contains("SpecialToken")) return -1;
      const std::string name = item.at("SpecialToken").at("id");
      return step.at("special_tokens").at(name).at("ids").at(0).get<int32_t>();
    };
    if (!single.empty()) {
      if (int32_t id = special_id(single.front()); id >= 0) v.add_bos = true, v.bos = id;
      if (int32_t id = special_id(single.back()); id >= 0) v.add_eos = true, v.eos = id;
    }
  }
}

int32_t find_token(const Vocab& v, const std::string& text) {
  for (size_t i = 0; i < v.tokens.size(); ++i)
    if (v.tokens[i] == text) return int32_t(i);
  return -1;
}

// A token id of the file, checked before it indexes anything: an integer in [0, entries), where
// entries counts model.vocab and added_tokens together (real files number them densely).
size_t token_id(const json& id, const std::string& field, size_t entries) {
  // JSON's non-negative integers are the unsigned ones; -1, 3.5 and "7" are not.
  if (!id.is_number_unsigned() || id.get<uint64_t>() >= entries)
    throw std::runtime_error(field + ": token id " + id.dump() + " is out of range (expected an integer from 0 to " +
                             std::to_string(entries - 1) + ": model.vocab and added_tokens have " +
                             std::to_string(entries) + " entries)");
  return static_cast<size_t>(id.get<uint64_t>());
}

// Merge rank r as "left right", from that string or from ["left", "right"].
std::string merge_text(const json& m, size_t r) {
  std::string text = m.is_string() ? m.get<std::string>() : m.at(0).get<std::string>() + " " + m.at(1).get<std::string>();
  if (text.size() < 3 || text.find(' ', 1) == std::string::npos || text.find(' ', 1) + 1 == text.size())
    throw std::runtime_error("model.merges[" + std::to_string(r) + "]: expected \"left right\", got " + m.dump());
  return text;
}

// "<s>" or {"content": "<s>", ...}
std::string token_content(const json& j) { return j.is_string() ? j.get<std::string>() : j.value("content", ""); }

Vocab read_tokenizer_json(const json& tj) {
  if (!tj.is_object() || !tj.contains("model"))
    throw std::runtime_error("no \"model\" object (expected a Hugging Face tokenizer.json)");
  const json& model = tj.at("model");
  if (model.value("type", "") != "BPE")
    throw std::runtime_error("model.type must be BPE, not '" + model.value("type", "") + "'");

  Vocab v;
  v.pre.clear();  // the regexes below are the whole pre-tokenizer
  const bool byte_level = is_byte_level(tj);
  if (byte_level) {
    v.pre_regexes = byte_level_regexes(tj.value("pre_tokenizer", json()));
    v.normalize_nfc = byte_level_nfc(tj.value("normalizer", json()));
  } else {
    check_sentencepiece_pre_tokenizer(tj.value("pre_tokenizer", json()));
  }
  v.model = byte_level ? VocabModel::ByteLevelBpe : VocabModel::SentencePiece;
  v.ignore_merges = model.value("ignore_merges", false);

  const json& vocab = model.at("vocab");
  const json added_tokens = tj.value("added_tokens", json::array());
  if (!vocab.is_object()) throw std::runtime_error("model.vocab: expected an object of token -> id");
  if (!added_tokens.is_array()) throw std::runtime_error("added_tokens: expected an array");
  const size_t entries = vocab.size() + added_tokens.size();
  std::vector<std::pair<size_t, TokenType>> added;  // (id, type) of each added token
  v.tokens.resize(entries);
  size_t n_tokens = 0;
  for (const auto& [text, id] : vocab.items()) {
    const size_t i = token_id(id, "model.vocab[\"" + text + "\"]", entries);
    v.tokens[i] = text;
    n_tokens = std::max(n_tokens, i + 1);
  }
  for (size_t k = 0; k < added_tokens.size(); ++k) {
    const json& token = added_tokens[k];
    const size_t i = token_id(token.at("id"), "added_tokens[" + std::to_string(k) + "].id", entries);
    v.tokens[i] = token.at("content");
    added.emplace_back(i, token.value("special", false) ? TokenType::Control : TokenType::UserDefined);
    n_tokens = std::max(n_tokens, i + 1);
  }
  v.tokens.resize(n_tokens);
  v.types.assign(v.tokens.size(), TokenType::Normal);
  for (const auto& [i, type] : added) v.types[i] = type;
  const json& merges = model.at("merges");
  for (size_t r = 0; r < merges.size(); ++r) v.merges.push_back(merge_text(merges[r], r));

  if (!byte_level) {
    // SentencePiece-style BPE runs on scores: a token made by merge rank r scores -r.
    v.add_space_prefix = adds_space_prefix(tj);
    v.scores.assign(v.tokens.size(), std::numeric_limits<float>::lowest());
    const TokenIndex index(v);
    for (size_t r = 0; r < v.merges.size(); ++r) {
      std::string merged = v.merges[r];
      merged.erase(merged.find(' ', 1), 1);  // merge_text() checked there is a space
      if (const int32_t id = index.find(merged); id >= 0 && v.scores[id] == std::numeric_limits<float>::lowest())
        v.scores[id] = -float(r);
    }
    for (size_t i = 0; i < v.tokens.size(); ++i)
      if (v.tokens[i].size() == 6 && v.tokens[i].starts_with("<0x") && v.types[i] == TokenType::Normal)
        v.types[i] = TokenType::Byte;
  }
  if (model.contains("unk_token") && model.at("unk_token").is_string())
    v.unk = find_token(v, model.at("unk_token"));
  if (v.unk >= 0 && v.types[v.unk] == TokenType::Normal) v.types[v.unk] = TokenType::Unknown;
  read_post_processor(tj.value("post_processor", json()), v);
  return v;
}

}  // namespace

Vocab vocab_from_tokenizer_json(const std::filesystem::path& path) {
  const json tj = read_json(path);
  try {
    return read_tokenizer_json(tj);
  } catch (const std::exception& e) {
    throw std::runtime_error(path.string() + ": " + e.what());
  }
}

void apply_hf_configs(const std::filesystem::path& folder, Vocab& v) {
  if (std::filesystem::exists(folder / "config.json")) {
    const json cfg = read_json(folder / "config.json");
    auto first_id = [](const json& j) { return j.is_array() ? j.at(0).get<int32_t>() : j.get<int32_t>(); };
    if (v.bos < 0 && cfg.contains("bos_token_id") && !cfg["bos_token_id"].is_null()) v.bos = first_id(cfg["bos_token_id"]);
    if (v.eos < 0 && cfg.contains("eos_token_id") && !cfg["eos_token_id"].is_null()) v.eos = first_id(cfg["eos_token_id"]);
  }
  if (!std::filesystem::exists(folder / "tokenizer_config.json")) return;
  const json tc = read_json(folder / "tokenizer_config.json");
  const std::pair<const char*, int32_t*> named[] = {
      {"bos_token", &v.bos}, {"eos_token", &v.eos}, {"pad_token", &v.pad}, {"unk_token", &v.unk}};
  for (const auto& [key, id] : named)
    if (tc.contains(key) && !tc[key].is_null())
      if (const int32_t found = find_token(v, token_content(tc[key])); found >= 0) *id = found;
  if (tc.contains("add_bos_token") && tc["add_bos_token"].is_boolean()) v.add_bos = tc["add_bos_token"];
  if (tc.contains("add_eos_token") && tc["add_eos_token"].is_boolean()) v.add_eos = tc["add_eos_token"];
}

}  // namespace rbee
