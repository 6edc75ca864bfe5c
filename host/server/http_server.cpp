#include "http_server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <csignal>
#include <stdexcept>

#include "http_connection.hpp"

namespace rbee::host::server {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

std::string HttpRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers)
    if (key == name) return value;
  return {};
}

struct HttpServer::Impl {
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  asio::signal_set signals{io, SIGINT, SIGTERM};
  ConnectionSettings settings;
  std::string host;
  uint16_t port = 0;

  void accept() {
    acceptor.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
      if (!ec) {
        boost::system::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);  // server-sent events: each token at once
        start_connection(std::move(socket), settings);
      }
      accept();  // a failed accept (too many open files, ...) does not stop the server
    });
  }
};

HttpServer::HttpServer(const std::string& host, uint16_t port, HttpLimits limits, Handler handler, ErrorResponder errors)
    : impl_(std::make_unique<Impl>()) {
  impl_->settings.limits = limits;
  impl_->settings.handler = std::move(handler);
  impl_->settings.errors = std::move(errors);
  boost::system::error_code ec;
  const asio::ip::address address = asio::ip::make_address(host, ec);
  if (ec) throw std::runtime_error("--host " + host + ": not an IP address (expected e.g. 127.0.0.1 or ::1)");
  const tcp::endpoint endpoint(address, port);
  auto& a = impl_->acceptor;
  if (a.open(endpoint.protocol(), ec); !ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(endpoint, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(port) + ": " + ec.message());
  impl_->host = host;
  impl_->port = a.local_endpoint().port();
  impl_->accept();
}

HttpServer::~HttpServer() = default;

uint16_t HttpServer::port() const { return impl_->port; }

int HttpServer::replies_in_progress() const { return impl_->settings.replying; }

std::string HttpServer::url() const {
  const bool v6 = impl_->host.find(':') != std::string::npos;
  return "http://" + (v6 ? "[" + impl_->host + "]" : impl_->host) + ":" + std::to_string(impl_->port);
}

void HttpServer::run(std::function<void()> on_signal) {
  std::function<void()> wait_signal;
  wait_signal = [this, &wait_signal, on_signal] {
    impl_->signals.async_wait([&wait_signal, on_signal](boost::system::error_code ec, int) {
      if (ec) return;
      on_signal();
      wait_signal();  // a second signal is told too
    });
  };
  wait_signal();
  impl_->io.run();
}

void HttpServer::stop_accepting() {
  asio::post(impl_->io, [this] {
    boost::system::error_code ignored;
    impl_->acceptor.close(ignored);
  });
}

void HttpServer::stop() { impl_->io.stop(); }

void HttpServer::after(std::chrono::milliseconds delay, std::function<void()> f) {
  auto timer = std::make_shared<asio::steady_timer>(impl_->io, delay);
  timer->async_wait([timer, f = std::move(f)](boost::system::error_code ec) {
    if (!ec) f();
  });
}

}  // namespace rbee::host::server
