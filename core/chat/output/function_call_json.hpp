#pragma once
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "chat/output/tool_call_syntax.hpp"

namespace rbee::chat {

// Key order is kept so that arguments read back as the model wrote them.
using OrderedJson = nlohmann::ordered_json;

// JSON text, or nullopt when it is not exactly one JSON value (surrounding whitespace allowed).
std::optional<OrderedJson> parse_json(std::string_view text);

// Compact JSON text, as OpenAI sends arguments.
std::string compact_json(const OrderedJson& value);

// {"name": NAME, "arguments": {...}}; "parameters" (Llama 3) is taken for "arguments", arguments
// given as a string of JSON are read, missing ones are {}. nullopt when it has no name or the
// arguments are not an object.
std::optional<FunctionCall> function_call_from_json(const OrderedJson& call);

// A call from a name and its arguments' JSON text; nullopt when that is not a JSON object.
std::optional<FunctionCall> function_call(std::string_view name, std::string_view arguments);

}  // namespace rbee::chat
