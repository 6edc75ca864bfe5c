// Mistral. v3 tokenizers (Mistral 7B v0.3, Mixtral 8x22B, Nemo) write the calls as one JSON array:
//   [TOOL_CALLS][{"name": "get_weather", "arguments": {"city": "Paris"}, "id": "a1b2c3d4e"}]
// v11+ (Mistral Small 3.2, Devstral, Magistral) write each call as
//   [TOOL_CALLS]get_weather[ARGS]{"city": "Paris"}    (Small 3.2 may put [CALL_ID]a1b2c3d4e before [ARGS])
#include "chat/output/syntaxes.hpp"

#include <array>

#include "chat/output/function_call_json.hpp"
#include "chat/output/json_extent.hpp"
#include "chat/output/text_scan.hpp"

namespace rbee::chat {
namespace {

constexpr std::string_view tool_calls = "[TOOL_CALLS]";
constexpr std::string_view args_marker = "[ARGS]";
constexpr std::string_view call_id_marker = "[CALL_ID]";

class MistralSyntax final : public ToolCallSyntax {
 public:
  std::span<const std::string_view> openers() const override { return openers_; }

  SectionExtent extent(std::string_view, std::string_view body) const override {
    const std::string_view rest = trim_left(body);
    if (rest.empty()) return {SectionExtent::Kind::incomplete};
    if (rest.front() == '[') return json_extent(body);
    const std::size_t args = body.find(args_marker);
    if (args == std::string_view::npos) return {SectionExtent::Kind::incomplete};
    SectionExtent object = json_extent(body.substr(args + args_marker.size()));
    if (object.kind == SectionExtent::Kind::complete) object.length += args + args_marker.size();
    return object;
  }

  std::optional<std::vector<FunctionCall>> calls(std::string_view, std::string_view body) const override {
    if (trim_left(body).starts_with('[')) return array_calls(body);
    const std::size_t args = body.find(args_marker);
    if (args == std::string_view::npos) return std::nullopt;
    std::string_view name = body.substr(0, args);
    name = trim(name.substr(0, name.find(call_id_marker)));
    std::optional<FunctionCall> call = function_call(name, body.substr(args + args_marker.size()));
    if (!call) return std::nullopt;
    return std::vector<FunctionCall>{std::move(*call)};
  }

 private:
  static std::optional<std::vector<FunctionCall>> array_calls(std::string_view body) {
    const std::optional<OrderedJson> json = parse_json(body);
    if (!json || !json->is_array() || json->empty()) return std::nullopt;
    std::vector<FunctionCall> calls;
    for (const OrderedJson& item : *json) {
      std::optional<FunctionCall> call = function_call_from_json(item);
      if (!call) return std::nullopt;
      calls.push_back(std::move(*call));
    }
    return calls;
  }

  static constexpr std::array<std::string_view, 1> openers_{tool_calls};
};

}  // namespace

std::unique_ptr<ToolCallSyntax> make_mistral_syntax() { return std::make_unique<MistralSyntax>(); }

}  // namespace rbee::chat
