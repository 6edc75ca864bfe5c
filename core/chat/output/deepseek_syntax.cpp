// DeepSeek V3 and R1 (the tokens are single special tokens; the bars are U+FF5C, the spaces U+2581):
//   <｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>get_weather
//   ```json
//   {"city": "Paris"}
//   ```<｜tool▁call▁end｜><｜tool▁calls▁end｜>
// with several calls separated by a newline. DeepSeek V3.1's templates write
// <｜tool▁call▁begin｜>get_weather<｜tool▁sep｜>{"city": "Paris"}<｜tool▁call▁end｜>, read too.
#include "chat/output/syntaxes.hpp"

#include <array>

#include "chat/output/function_call_json.hpp"
#include "chat/output/text_scan.hpp"

namespace rbee::chat {
namespace {

constexpr std::string_view calls_begin = "<｜tool▁calls▁begin｜>";
constexpr std::string_view calls_end = "<｜tool▁calls▁end｜>";
constexpr std::string_view call_begin = "<｜tool▁call▁begin｜>";
constexpr std::string_view call_end = "<｜tool▁call▁end｜>";
constexpr std::string_view separator = "<｜tool▁sep｜>";

// The arguments of V3/R1, inside a ```json fence.
std::string_view unfenced(std::string_view text) {
  text = trim(text);
  if (text.starts_with("```json")) text.remove_prefix(7);
  if (text.ends_with("```")) text.remove_suffix(3);
  return text;
}

class DeepSeekSyntax final : public ToolCallSyntax {
 public:
  std::span<const std::string_view> openers() const override { return openers_; }
  std::span<const std::string_view> wrappers() const override { return wrappers_; }

  SectionExtent extent(std::string_view, std::string_view body) const override {
    const std::size_t end = body.find(call_end);
    if (end == std::string_view::npos) return {SectionExtent::Kind::incomplete};
    return {SectionExtent::Kind::complete, end + call_end.size()};
  }

  std::optional<std::vector<FunctionCall>> calls(std::string_view, std::string_view body) const override {
    if (body.ends_with(call_end)) body.remove_suffix(call_end.size());
    const std::size_t sep = body.find(separator);
    if (sep == std::string_view::npos) return std::nullopt;
    const std::string_view before = trim(body.substr(0, sep));
    const std::string_view after = trim(body.substr(sep + separator.size()));
    std::optional<FunctionCall> call;
    if (after.starts_with('{')) {
      call = function_call(before, after);  // V3.1: name<sep>arguments
    } else {
      const std::size_t newline = after.find('\n');
      if (newline == std::string_view::npos) return std::nullopt;
      call = function_call(trim(after.substr(0, newline)), unfenced(after.substr(newline + 1)));
    }
    if (!call) return std::nullopt;
    return std::vector<FunctionCall>{std::move(*call)};
  }

 private:
  static constexpr std::array<std::string_view, 1> openers_{call_begin};
  static constexpr std::array<std::string_view, 2> wrappers_{calls_begin, calls_end};
};

}  // namespace

std::unique_ptr<ToolCallSyntax> make_deepseek_syntax() { return std::make_unique<DeepSeekSyntax>(); }

}  // namespace rbee::chat
