// Hermes 2 Pro / Hermes 3, Qwen2.5, Qwen3, SmolLM3: each call is
//   <tool_call>
//   {"name": "get_weather", "arguments": {"city": "Paris"}}
//   </tool_call>
#include "chat/output/syntaxes.hpp"

#include <array>

#include "chat/output/function_call_json.hpp"
#include "chat/output/text_scan.hpp"

namespace rbee::chat {
namespace {

constexpr std::string_view open_tag = "<tool_call>";
constexpr std::string_view close_tag = "</tool_call>";

class HermesSyntax final : public ToolCallSyntax {
 public:
  std::span<const std::string_view> openers() const override { return openers_; }

  SectionExtent extent(std::string_view, std::string_view body) const override {
    const std::size_t close = body.find(close_tag);
    if (close == std::string_view::npos) return {SectionExtent::Kind::incomplete};
    return {SectionExtent::Kind::complete, close + close_tag.size()};
  }

  std::optional<std::vector<FunctionCall>> calls(std::string_view, std::string_view body) const override {
    if (body.ends_with(close_tag)) body.remove_suffix(close_tag.size());
    const std::optional<OrderedJson> json = parse_json(body);
    if (!json) return std::nullopt;
    std::optional<FunctionCall> call = function_call_from_json(*json);
    if (!call) return std::nullopt;
    return std::vector<FunctionCall>{std::move(*call)};
  }

 private:
  static constexpr std::array<std::string_view, 1> openers_{open_tag};
};

}  // namespace

std::unique_ptr<ToolCallSyntax> make_hermes_syntax() { return std::make_unique<HermesSyntax>(); }

}  // namespace rbee::chat
