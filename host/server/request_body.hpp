#pragma once
// The JSON body of a POST request, parsed with the limits a server facing hostile clients needs.
#include <string_view>

#include <nlohmann/json.hpp>

namespace rbee::host::server {

// The body as a JSON object. Throws ApiError (400 invalid_json) when it is not valid JSON, not an
// object, or nests arrays and objects deeper than any OpenAI request needs.
nlohmann::ordered_json parse_request_body(std::string_view body);

}  // namespace rbee::host::server
