#pragma once
#include <filesystem>

#include "tokenizer/vocab.hpp"

namespace rbee {

class ModelSource;

// Each throws std::runtime_error naming the file and field when something is missing or odd.
Vocab vocab_from_gguf(const ModelSource& source);
Vocab vocab_from_tokenizer_json(const std::filesystem::path& tokenizer_json);
Vocab vocab_from_sentencepiece_model(const std::filesystem::path& tokenizer_model);
// bos/eos/pad/unk ids and add_bos/add_eos from tokenizer_config.json and config.json, if present.
void apply_hf_configs(const std::filesystem::path& folder, Vocab& vocab);

}  // namespace rbee
