#pragma once
// The text of generated tokens for a chat's output parser.
#include <cstdint>
#include <string>

#include "tokenizer/streaming_detokenizer.hpp"
#include "tokenizer/tokenizer.hpp"

namespace rbee::host {

// The text token `id` adds. Control tokens add nothing unless `keep_control_tokens`: then their
// text ("<|channel|>"), which formats built of them (gpt-oss's harmony) are read by; an
// unfinished character held before one comes out first, as U+FFFD.
inline std::string generated_text(const Tokenizer& tokenizer, StreamingDetokenizer& detokenizer, int32_t id,
                                  bool keep_control_tokens) {
  if (!keep_control_tokens || !tokenizer.token_to_piece(id).empty()) return detokenizer.push(id);
  const int32_t ids[] = {id};
  return detokenizer.flush() + tokenizer.decode(ids, /*skip_special=*/false);
}

}  // namespace rbee::host
