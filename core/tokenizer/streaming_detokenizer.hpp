#pragma once
#include <cstdint>
#include <string>

namespace rbee {

class Tokenizer;

// Turns generated tokens into text as they arrive. Byte tokens can split a character across
// tokens: push() returns only complete UTF-8 characters and holds back an unfinished one until
// its remaining bytes arrive; bytes that can never form a character come out as U+FFFD.
class StreamingDetokenizer {
 public:
  explicit StreamingDetokenizer(const Tokenizer& tokenizer) : tokenizer_(tokenizer) {}

  std::string push(int32_t id);
  // Whatever is held back, an unfinished character as U+FFFD.
  std::string flush();

 private:
  std::string drain(bool final);

  const Tokenizer& tokenizer_;
  std::string pending_;
};

}  // namespace rbee
