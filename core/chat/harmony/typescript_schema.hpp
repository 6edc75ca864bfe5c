#pragma once
#include <string>

#include <nlohmann/json.hpp>

namespace rbee::chat::harmony {

// A tool's JSON schema as the TypeScript-like type harmony shows the model, as openai/harmony
// writes it: objects one property a line with descriptions, titles, examples and defaults as
// comments, "?" on optional properties, enums as string unions, oneOf as " | " alternatives,
// integer as number, unknown types as any. `indent` prefixes the lines of nested parts.
std::string typescript_type(const nlohmann::ordered_json& schema, const std::string& indent = "");

}  // namespace rbee::chat::harmony
