#pragma once
#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "chat/output/output_format.hpp"

namespace rbee::chat {

// A call as the model wrote it; the parser gives it an id.
struct FunctionCall {
  std::string name;
  std::string arguments;  // compact JSON object
};

// How far a call section's text goes, as far as the text so far tells.
struct SectionExtent {
  enum class Kind { incomplete, complete, not_a_call } kind;
  std::size_t length = 0;  // complete: the bytes of the body the section spans
};

// One model family's way of writing tool calls. The text from an opener to the end of the
// section is its body; the parser finds openers, asks where the body ends and what calls it holds.
class ToolCallSyntax {
 public:
  virtual ~ToolCallSyntax() = default;

  // Markers that open a call section wherever they appear in the content.
  virtual std::span<const std::string_view> openers() const = 0;
  // Special tokens around a group of calls, dropped wherever they appear.
  virtual std::span<const std::string_view> wrappers() const { return {}; }
  // Whether a JSON object opening the content is a call section (its opener is then "").
  virtual bool bare_json_at_start() const { return false; }

  virtual SectionExtent extent(std::string_view opener, std::string_view body) const = 0;
  // The calls of a body (one `extent` called complete, or all that came before the output
  // ended); nullopt when it is not a well-formed call section.
  virtual std::optional<std::vector<FunctionCall>> calls(std::string_view opener, std::string_view body) const = 0;
};

// nullptr for ToolCallFormat::none and ::harmony (whose calls HarmonyOutput reads).
std::unique_ptr<ToolCallSyntax> make_tool_call_syntax(ToolCallFormat format);

}  // namespace rbee::chat
