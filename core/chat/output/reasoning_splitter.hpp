#pragma once
#include <string>
#include <string_view>

#include "chat/output/output_format.hpp"

namespace rbee::chat {

inline constexpr std::string_view think_open = "<think>";
inline constexpr std::string_view think_close = "</think>";

// Splits streamed output into reasoning (a <think>...</think> block opening the output) and the
// content after it, as llama.cpp does: whitespace around the reasoning and between </think> and
// the content is dropped, a <think> later in the content is content, and a block the output never
// closes is all reasoning. With starts_in_reasoning the output begins inside the block (a <think>
// it repeats anyway is dropped).
class ReasoningSplitter {
 public:
  explicit ReasoningSplitter(const OutputFormat& format);

  void push(std::string_view piece, std::string& reasoning, std::string& content);
  void finish(std::string& reasoning, std::string& content);

 private:
  enum class State { opening, reasoning, after_reasoning, content };

  void process(bool at_end, std::string& reasoning, std::string& content);
  void process_opening(bool at_end);
  void process_reasoning(bool at_end, std::string& reasoning);
  void emit_reasoning(std::string_view text, std::string& reasoning);

  State state_;
  bool starts_in_reasoning_;
  bool reasoning_started_ = false;  // a non-space reasoning byte was emitted
  std::string held_;
};

}  // namespace rbee::chat
