#include "chat/output/reasoning_splitter.hpp"

#include <array>

#include "chat/output/text_scan.hpp"

namespace rbee::chat {

ReasoningSplitter::ReasoningSplitter(const OutputFormat& format)
    : state_(format.reasoning || format.starts_in_reasoning ? State::opening : State::content),
      starts_in_reasoning_(format.starts_in_reasoning) {}

void ReasoningSplitter::push(std::string_view piece, std::string& reasoning, std::string& content) {
  held_ += piece;
  process(false, reasoning, content);
}

void ReasoningSplitter::finish(std::string& reasoning, std::string& content) { process(true, reasoning, content); }

void ReasoningSplitter::process(bool at_end, std::string& reasoning, std::string& content) {
  if (state_ == State::opening) process_opening(at_end);
  if (state_ == State::reasoning) process_reasoning(at_end, reasoning);
  if (state_ == State::after_reasoning) {
    const std::string_view rest = trim_left(held_);
    if (rest.empty()) {
      held_.clear();
      return;
    }
    held_ = std::string(rest);
    state_ = State::content;
  }
  if (state_ == State::content) {
    content += held_;
    held_.clear();
  }
}

// Before the first non-space byte says whether the output opens a think block.
void ReasoningSplitter::process_opening(bool at_end) {
  const std::string_view rest = trim_left(held_);
  if (!at_end && think_open.starts_with(rest) && rest.size() < think_open.size()) return;
  if (rest.starts_with(think_open)) {
    held_.erase(0, held_.size() - rest.size() + think_open.size());
    state_ = State::reasoning;
  } else if (starts_in_reasoning_) {
    state_ = State::reasoning;
  } else {
    state_ = State::content;
  }
}

void ReasoningSplitter::process_reasoning(bool at_end, std::string& reasoning) {
  if (const std::size_t close = held_.find(think_close); close != std::string::npos) {
    emit_reasoning(trim_right(std::string_view(held_).substr(0, close)), reasoning);
    held_.erase(0, close + think_close.size());
    state_ = State::after_reasoning;
    return;
  }
  if (at_end) {
    emit_reasoning(trim_right(held_), reasoning);
    held_.clear();
    return;
  }
  // Hold back what may start </think> and the whitespace before it: trailing space is trimmed.
  static constexpr std::array<std::string_view, 1> markers{think_close};
  const std::string_view ready = trim_right(
      std::string_view(held_).substr(0, held_.size() - partial_marker_length(held_, markers)));
  emit_reasoning(ready, reasoning);
  held_.erase(0, ready.size());
}

void ReasoningSplitter::emit_reasoning(std::string_view text, std::string& reasoning) {
  if (!reasoning_started_) text = trim_left(text);
  if (text.empty()) return;
  reasoning_started_ = true;
  reasoning += text;
}

}  // namespace rbee::chat
