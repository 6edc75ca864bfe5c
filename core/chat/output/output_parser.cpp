#include "chat/output/output_parser.hpp"

#include "chat/output/text_scan.hpp"

namespace rbee::chat {

OutputParser::OutputParser(const OutputFormat& format, std::uint64_t id_seed) : reasoning_(format) {
  if (format.harmony) {
    harmony_ = std::make_unique<HarmonyOutput>(format.tool_calls != ToolCallFormat::none, id_seed);
  } else if (std::unique_ptr<ToolCallSyntax> syntax = make_tool_call_syntax(format.tool_calls)) {
    tool_calls_ = std::make_unique<ToolCallExtractor>(std::move(syntax), id_seed);
  }
}

OutputDelta OutputParser::push(std::string_view piece) {
  incomplete_utf8_ += piece;
  const std::size_t complete = complete_utf8_length(incomplete_utf8_);
  OutputDelta delta = split(std::string_view(incomplete_utf8_).substr(0, complete), false);
  incomplete_utf8_.erase(0, complete);
  return delta;
}

OutputDelta OutputParser::finish() {
  OutputDelta delta = split(incomplete_utf8_, true);
  incomplete_utf8_.clear();
  return delta;
}

OutputDelta OutputParser::split(std::string_view text, bool at_end) {
  OutputDelta delta;
  if (harmony_) {
    harmony_->push(text, delta);
    if (at_end) harmony_->finish(delta);
    return delta;
  }
  std::string content;
  reasoning_.push(text, delta.reasoning, content);
  if (at_end) reasoning_.finish(delta.reasoning, content);
  if (!tool_calls_) {
    delta.content = std::move(content);
    return delta;
  }
  tool_calls_->push(content, delta);
  if (at_end) tool_calls_->finish(delta);
  return delta;
}

ParsedOutput parse_output(std::string_view text, const OutputFormat& format, std::uint64_t id_seed) {
  OutputParser parser(format, id_seed);
  ParsedOutput output;
  output.add(parser.push(text));
  output.add(parser.finish());
  return output;
}

}  // namespace rbee::chat
