#include "tokenizer/streaming_detokenizer.hpp"

#include "tokenizer/tokenizer.hpp"
#include "util/utf8.hpp"

namespace rbee {
namespace {

const char* const kReplacement = "\xEF\xBF\xBD";

bool is_continuation(char c) { return (uint8_t(c) & 0xC0) == 0x80; }

}  // namespace

std::string StreamingDetokenizer::push(int32_t id) {
  pending_ += tokenizer_.token_to_piece(id);
  return drain(false);
}

std::string StreamingDetokenizer::flush() { return drain(true); }

std::string StreamingDetokenizer::drain(bool final) {
  std::string out;
  size_t pos = 0;
  while (pos < pending_.size()) {
    const uint8_t lead = uint8_t(pending_[pos]);
    const size_t len = utf8::sequence_length(lead);
    if (len == 1) {
      if (lead >= 0x80) out += kReplacement;  // stray continuation byte or invalid lead
      else out += char(lead);
      ++pos;
      continue;
    }
    size_t have = 1;
    while (have < len && pos + have < pending_.size() && is_continuation(pending_[pos + have])) ++have;
    if (have == len) {
      out.append(pending_, pos, len);
      pos += len;
    } else if (pos + have == pending_.size() && !final) {
      break;  // could still be completed by the next token
    } else {
      out += kReplacement;  // truncated sequence: replace the bytes read so far
      pos += have;
    }
  }
  pending_.erase(0, pos);
  return out;
}

}  // namespace rbee
