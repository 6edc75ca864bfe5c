#include "request_body.hpp"

#include <string>

#include "api_error.hpp"

namespace rbee::host::server {
namespace {

// Arrays and objects nested deeper than OpenAI's requests need (tool schemas included): a
// hostile body nested a million deep would exhaust the stack in the recursive copies and
// renderings of it.
constexpr int kMaxJsonDepth = 128;

// Whether the JSON text nests arrays and objects at most max_depth deep (strings skipped).
bool nesting_within(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return false;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return true;
}

}  // namespace

nlohmann::ordered_json parse_request_body(std::string_view body) {
  if (!nesting_within(body, kMaxJsonDepth))
    throw ApiError(400, "invalid_json", "the request body nests arrays or objects more than " +
                                            std::to_string(kMaxJsonDepth) + " deep");
  auto json = nlohmann::ordered_json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) throw ApiError(400, "invalid_json", "the request body is not valid JSON");
  if (!json.is_object()) throw ApiError(400, "invalid_json", "the request body must be a JSON object");
  return json;
}

}  // namespace rbee::host::server
