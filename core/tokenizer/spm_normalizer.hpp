#pragma once
#include <string>
#include <string_view>

#include "tokenizer/vocab.hpp"

namespace rbee {

// The text SentencePiece's BPE runs on: the model's precompiled charsmap (if any) applied,
// extra whitespace removed (if the model says so), a leading space when `add_prefix`, and every
// space escaped as U+2581.
std::string spm_normalize(std::string_view text, const Vocab& vocab, bool add_prefix);

}  // namespace rbee
