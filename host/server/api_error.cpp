#include "api_error.hpp"

#include <nlohmann/json.hpp>

namespace rbee::host::server {

std::string ApiError::type() const {
  switch (status_) {
    case 401: return "authentication_error";
    case 403: return "permission_error";
    case 404: return "not_found_error";
    case 429: return "rate_limit_error";
    case 503: return "unavailable_error";
    default: return status_ >= 500 ? "server_error" : "invalid_request_error";
  }
}

ApiError bad_field(const std::string& field, const std::string& expected) {
  return ApiError(400, "invalid_value", "'" + field + "': expected " + expected);
}

std::string error_json(const ApiError& e) {
  const nlohmann::json body = {{"error", {{"message", e.what()}, {"type", e.type()}, {"code", e.code()}}}};
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

HttpResponse error_response(const ApiError& e) {
  HttpResponse r{.status = e.status(), .body = error_json(e)};
  if (e.status() == 503) r.headers.emplace_back("Retry-After", "1");
  return r;
}

}  // namespace rbee::host::server
