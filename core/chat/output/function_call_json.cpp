#include "chat/output/function_call_json.hpp"

namespace rbee::chat {

std::optional<OrderedJson> parse_json(std::string_view text) {
  OrderedJson value = OrderedJson::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return std::nullopt;
  return value;
}

std::string compact_json(const OrderedJson& value) {
  return value.dump(-1, ' ', /*ensure_ascii=*/false, OrderedJson::error_handler_t::replace);
}

std::optional<FunctionCall> function_call_from_json(const OrderedJson& call) {
  if (!call.is_object()) return std::nullopt;
  const auto name = call.find("name");
  if (name == call.end() || !name->is_string() || name->get_ref<const std::string&>().empty()) return std::nullopt;
  auto arguments = call.find("arguments");
  if (arguments == call.end()) arguments = call.find("parameters");
  if (arguments == call.end()) return FunctionCall{name->get<std::string>(), "{}"};
  if (arguments->is_string()) return function_call(name->get<std::string>(), arguments->get_ref<const std::string&>());
  if (!arguments->is_object()) return std::nullopt;
  return FunctionCall{name->get<std::string>(), compact_json(*arguments)};
}

std::optional<FunctionCall> function_call(std::string_view name, std::string_view arguments) {
  const std::optional<OrderedJson> parsed = parse_json(arguments);
  if (name.empty() || !parsed || !parsed->is_object()) return std::nullopt;
  return FunctionCall{std::string(name), compact_json(*parsed)};
}

}  // namespace rbee::chat
