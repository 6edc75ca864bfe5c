#pragma once
// One accepted connection of HttpServer: reads requests one after another (keep-alive) and
// writes the replies the handler gives through its Exchange.
#include <atomic>

#include <boost/asio/ip/tcp.hpp>

#include "http_server.hpp"

namespace rbee::host::server {

struct ConnectionSettings {
  HttpLimits limits;
  Handler handler;
  ErrorResponder errors;
  std::atomic<int> replying{0};  // connections with a request read and its reply not yet out
};

// Serves the socket until the client or the server closes it; settings outlive it.
void start_connection(boost::asio::ip::tcp::socket socket, ConnectionSettings& settings);

}  // namespace rbee::host::server
