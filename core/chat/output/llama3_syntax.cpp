// Llama 3.1 / 3.2 / 3.3 (https://www.llama.com/docs/model-cards-and-prompt-formats/llama3_1/):
// a custom tool call is the whole output, as JSON,
//   {"name": "get_weather", "parameters": {"city": "Paris"}}
// also after <|python_tag|>. Builtin tools are called as Python after <|python_tag|>:
//   <|python_tag|>brave_search.call(query="weather in Paris")
// and with code_interpreter the model writes plain code there, which becomes a call of "python"
// with {"code": ...} (as llama.cpp names it).
#include "chat/output/syntaxes.hpp"

#include <array>

#include "chat/output/function_call_json.hpp"
#include "chat/output/json_extent.hpp"
#include "chat/output/python_call.hpp"
#include "chat/output/text_scan.hpp"

namespace rbee::chat {
namespace {

constexpr std::string_view python_tag = "<|python_tag|>";

// Whether a bare JSON object may still be a call: its first key is "name" (or "type", as in
// {"type": "function", "name": ...}). Keeps JSON answers from being held back to the end.
bool may_be_call_object(std::string_view object) {
  const std::string_view first_key = trim_left(trim_left(object).substr(1));
  const auto compatible = [&](std::string_view key) {
    return key.starts_with(first_key.substr(0, key.size()));
  };
  return compatible("\"name\"") || compatible("\"type\"");
}

std::vector<FunctionCall> one(FunctionCall call) { return {std::move(call)}; }

class Llama3Syntax final : public ToolCallSyntax {
 public:
  std::span<const std::string_view> openers() const override { return openers_; }
  bool bare_json_at_start() const override { return true; }

  SectionExtent extent(std::string_view opener, std::string_view body) const override {
    const std::string_view rest = trim_left(body);
    if (rest.empty()) return {SectionExtent::Kind::incomplete};
    if (opener.empty() && !may_be_call_object(rest)) return {SectionExtent::Kind::not_a_call};
    if (rest.front() == '{') return json_extent(body);
    SectionExtent call = python_call_extent(rest);
    if (call.kind == SectionExtent::Kind::complete) call.length += body.size() - rest.size();
    // Anything else is code for code_interpreter, which runs to the end of the output.
    if (call.kind == SectionExtent::Kind::not_a_call) call.kind = SectionExtent::Kind::incomplete;
    return call;
  }

  std::optional<std::vector<FunctionCall>> calls(std::string_view opener, std::string_view body) const override {
    const std::string_view rest = trim(body);
    if (rest.starts_with('{')) {
      const std::optional<OrderedJson> json = parse_json(rest);
      if (!json) return std::nullopt;
      std::optional<FunctionCall> call = function_call_from_json(*json);
      if (!call) return std::nullopt;
      return one(std::move(*call));
    }
    if (opener.empty() || rest.empty()) return std::nullopt;
    if (std::optional<FunctionCall> call = python_call(rest)) return one(std::move(*call));
    // A builtin call cut short is not code.
    if (python_call_extent(rest).kind != SectionExtent::Kind::not_a_call) return std::nullopt;
    return one({"python", compact_json(OrderedJson{{"code", std::string(rest)}})});
  }

 private:
  static constexpr std::array<std::string_view, 1> openers_{python_tag};
};

}  // namespace

std::unique_ptr<ToolCallSyntax> make_llama3_syntax() { return std::make_unique<Llama3Syntax>(); }

}  // namespace rbee::chat
