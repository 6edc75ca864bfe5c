#include "chat/output/tool_call_extractor.hpp"

#include <algorithm>
#include <iterator>

#include "chat/output/text_scan.hpp"

namespace rbee::chat {

ToolCallExtractor::ToolCallExtractor(std::unique_ptr<ToolCallSyntax> syntax, std::uint64_t id_seed)
    : syntax_(std::move(syntax)), ids_(id_seed) {
  std::ranges::copy(syntax_->openers(), std::back_inserter(markers_));
  std::ranges::copy(syntax_->wrappers(), std::back_inserter(markers_));
}

void ToolCallExtractor::push(std::string_view content, OutputDelta& out) {
  held_ += content;
  process(false, out);
}

void ToolCallExtractor::finish(OutputDelta& out) { process(true, out); }

void ToolCallExtractor::process(bool at_end, OutputDelta& out) {
  while (opener_ ? process_section(at_end, out) : process_content(at_end, out)) {
  }
}

// Returns whether the section ended (the rest of held_ is content again).
bool ToolCallExtractor::process_section(bool at_end, OutputDelta& out) {
  const SectionExtent extent = syntax_->extent(*opener_, held_);
  if (extent.kind == SectionExtent::Kind::incomplete && !at_end) return false;
  const std::string_view opener = *opener_;
  opener_.reset();
  if (extent.kind == SectionExtent::Kind::not_a_call) {
    emit_content(opener, out);
    at_start_ = false;  // a bare JSON object that is not a call must not open a section again
    return true;
  }
  const std::size_t length = extent.kind == SectionExtent::Kind::complete ? extent.length : held_.size();
  const std::string body = held_.substr(0, length);
  held_.erase(0, length);
  if (std::optional<std::vector<FunctionCall>> calls = syntax_->calls(opener, body)) {
    emit_calls(std::move(*calls), out);
  } else {
    emit_content(std::string(opener) + body, out);
  }
  return true;
}

// Returns whether a call section opened or a wrapper was dropped (there is more to do).
bool ToolCallExtractor::process_content(bool at_end, OutputDelta& out) {
  if (after_call_) {
    held_.erase(0, held_.size() - trim_left(held_).size());
    if (held_.empty()) return false;
    after_call_ = false;
  }
  if (at_start_ && syntax_->bare_json_at_start()) {
    const std::string_view rest = trim_left(held_);
    if (rest.starts_with('{')) {
      opener_ = "";  // the body keeps the leading whitespace, for content if it is no call
      return true;
    }
    if (rest.empty() && !at_end) return false;
    at_start_ = false;
  }
  std::size_t found = std::string::npos;
  std::string_view marker;
  for (std::string_view candidate : markers_) {
    const std::size_t at = held_.find(candidate);
    if (at < found) {
      found = at;
      marker = candidate;
    }
  }
  if (found != std::string::npos) {
    emit_content(trim_right(std::string_view(held_).substr(0, found)), out);
    held_.erase(0, found + marker.size());
    if (std::ranges::find(syntax_->openers(), marker) != syntax_->openers().end()) {
      opener_ = marker;
    } else {
      after_call_ = true;
    }
    at_start_ = false;
    return true;
  }
  std::string_view ready = held_;
  if (!at_end) {
    // Hold back what may start a marker, and the whitespace before it (dropped if a call follows).
    ready = trim_right(ready.substr(0, ready.size() - partial_marker_length(ready, markers_)));
  }
  emit_content(ready, out);
  held_.erase(0, ready.size());
  return false;
}

void ToolCallExtractor::emit_content(std::string_view text, OutputDelta& out) {
  if (text.empty()) return;
  at_start_ = false;
  out.content += text;
}

void ToolCallExtractor::emit_calls(std::vector<FunctionCall> calls, OutputDelta& out) {
  for (FunctionCall& call : calls) {
    out.tool_calls.push_back({calls_given_++, ids_.next(), std::move(call.name), std::move(call.arguments)});
  }
  after_call_ = true;
}

}  // namespace rbee::chat
