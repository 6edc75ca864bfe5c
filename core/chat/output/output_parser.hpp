#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "chat/output/harmony_output.hpp"
#include "chat/output/output_format.hpp"
#include "chat/output/parsed_output.hpp"
#include "chat/output/reasoning_splitter.hpp"
#include "chat/output/tool_call_extractor.hpp"
#include "chat/output/tool_call_ids.hpp"

namespace rbee::chat {

// Reads a model's output as it is generated: push each piece of text (a token's text, any
// number of bytes), then finish() once at the end. Each call returns what became certain:
// content, reasoning, tool calls. Text that may begin a marker ("<too", "</thi", a split UTF-8
// character) is held back until a later piece decides, so deltas never carry part of a marker
// and always hold whole UTF-8 characters. Each tool call comes whole in one delta once its
// closing marker (or the end of the output) is seen; one that is not well formed comes out as
// content, as written. Nothing throws on any input.
class OutputParser {
 public:
  // Tool-call ids are drawn from id_seed: the same seed gives the same ids.
  explicit OutputParser(const OutputFormat& format, std::uint64_t id_seed = random_id_seed());

  OutputDelta push(std::string_view piece);
  OutputDelta finish();

 private:
  OutputDelta split(std::string_view text, bool at_end);

  ReasoningSplitter reasoning_;
  std::unique_ptr<ToolCallExtractor> tool_calls_;  // null when the format has none
  std::unique_ptr<HarmonyOutput> harmony_;         // set for the harmony format, which replaces both
  std::string incomplete_utf8_;
};

// The whole output at once: exactly what the streamed deltas of the same text add up to.
ParsedOutput parse_output(std::string_view text, const OutputFormat& format, std::uint64_t id_seed = random_id_seed());

}  // namespace rbee::chat
