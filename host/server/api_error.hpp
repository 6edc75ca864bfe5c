#pragma once
// Errors in the OpenAI API's shape: {"error": {"message", "type", "code"}} with an HTTP status.
#include <stdexcept>
#include <string>

#include "http_server.hpp"

namespace rbee::host::server {

class ApiError : public std::runtime_error {
 public:
  ApiError(unsigned status, std::string code, const std::string& message)
      : std::runtime_error(message), status_(status), code_(std::move(code)) {}
  unsigned status() const { return status_; }
  const std::string& code() const { return code_; }
  // OpenAI's type for the status: invalid_request_error, authentication_error, ...
  std::string type() const;

 private:
  unsigned status_;
  std::string code_;
};

// 400 invalid_request_error naming the field.
ApiError bad_field(const std::string& field, const std::string& expected);

// The JSON body of an error.
std::string error_json(const ApiError& e);
HttpResponse error_response(const ApiError& e);

}  // namespace rbee::host::server
