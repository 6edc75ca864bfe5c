#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "chat/output/parsed_output.hpp"
#include "chat/output/tool_call_ids.hpp"
#include "chat/output/tool_call_syntax.hpp"

namespace rbee::chat {

// Takes streamed content and splits the tool calls out of it, in one model family's syntax.
// Text that may begin a marker is held back until the next piece decides; a call is given out
// whole once its section ends, so that a malformed one can still become content (its text as
// written). Whitespace between content and a call, between calls and after them is dropped.
class ToolCallExtractor {
 public:
  ToolCallExtractor(std::unique_ptr<ToolCallSyntax> syntax, std::uint64_t id_seed);

  void push(std::string_view content, OutputDelta& out);
  void finish(OutputDelta& out);

 private:
  void process(bool at_end, OutputDelta& out);
  bool process_section(bool at_end, OutputDelta& out);
  bool process_content(bool at_end, OutputDelta& out);
  void emit_content(std::string_view text, OutputDelta& out);
  void emit_calls(std::vector<FunctionCall> calls, OutputDelta& out);

  std::unique_ptr<ToolCallSyntax> syntax_;
  std::vector<std::string_view> markers_;  // the syntax's openers and wrappers
  ToolCallIds ids_;
  std::size_t calls_given_ = 0;
  std::string held_;                        // content not yet given out, or the section's body
  std::optional<std::string_view> opener_;  // set while in a call section
  bool at_start_ = true;                    // no content given out yet
  bool after_call_ = false;                 // whitespace that follows is dropped
};

}  // namespace rbee::chat
