#pragma once
// The HTTP transport of `rbee serve`: Boost.Beast over one Asio I/O thread, every connection
// asynchronous (idle ones cost no thread). It knows nothing of the OpenAI API: it reads
// requests within limits and hands each to a Handler with an Exchange to answer through, from
// any thread, whole or as a chunked stream. Beast stays inside http_server.cpp and
// http_connection.cpp.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rbee::host::server {

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // the target without its query
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
  std::string peer;    // address:port of the client, for logs

  // The first header of that (lower-case) name; "" when absent.
  std::string header(std::string_view name) const;
};

struct HttpResponse {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // more headers (Retry-After, ...)
};

// One request's reply channel. Thread-safe: respond() once, or start_stream(), any number of
// write()s, then end(). What is sent after the client has gone is dropped.
class Exchange {
 public:
  virtual ~Exchange() = default;
  virtual void respond(HttpResponse response) = 0;
  // A chunked response (server-sent events: content_type "text/event-stream").
  virtual void start_stream(unsigned status, std::string content_type) = 0;
  virtual void write(std::string piece) = 0;
  virtual void end() = 0;
  // True once the client has closed its connection, or failed to take what was written.
  virtual bool client_gone() const = 0;
  // Runs f once on the I/O thread when the client goes before the reply is complete (at once,
  // there, when it has gone already).
  virtual void on_client_gone(std::function<void()> f) = 0;
};

using Handler = std::function<void(HttpRequest, std::shared_ptr<Exchange>)>;

struct HttpLimits {
  std::size_t max_header_bytes = 64 * 1024;  // request line and headers
  std::size_t max_body_bytes = 16 * 1024 * 1024;
  // A request's header and body must arrive within this, from its first byte or the end of
  // the previous response (keep-alive); a write must be taken within it too.
  std::chrono::seconds timeout{30};
};

// The responses the transport itself sends: a body too large (413), headers too large (431),
// not HTTP (400). The handler's format decides their body.
using ErrorResponder = std::function<HttpResponse(unsigned status, const std::string& message)>;

class HttpServer {
 public:
  // Binds and listens (port 0: any free one); throws std::runtime_error naming the address.
  HttpServer(const std::string& host, uint16_t port, HttpLimits limits, Handler handler, ErrorResponder errors);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  uint16_t port() const;
  // Requests read whose replies are not yet all written (thread-safe).
  int replies_in_progress() const;
  // "http://HOST:PORT"
  std::string url() const;

  // Serves on the calling thread until stop(). SIGINT and SIGTERM call on_signal there.
  void run(std::function<void()> on_signal);
  // Both thread-safe. stop_accepting() closes the listening socket; stop() ends run(),
  // dropping the connections left.
  void stop_accepting();
  void stop();
  // Runs f on the I/O thread after `delay`.
  void after(std::chrono::milliseconds delay, std::function<void()> f);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rbee::host::server
