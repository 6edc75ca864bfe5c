#pragma once
// One accepted connection of HttpServer: reads requests one after another (keep-alive) and
// writes the replies the handler gives through its Exchange.
#include <boost/asio/ip/tcp.hpp>

#include "http_server.hpp"

namespace rbee::host::server {

struct ConnectionSettings {
  HttpLimits limits;
  Handler handler;
  ErrorResponder errors;
};

// Serves the socket until the client or the server closes it; settings outlive it.
void start_connection(boost::asio::ip::tcp::socket socket, const ConnectionSettings& settings);

}  // namespace rbee::host::server
