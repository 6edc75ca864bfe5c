#include "http_connection.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <deque>
#include <mutex>
#include <optional>
#include <variant>

namespace rbee::host::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

class Connection;

// The Exchange of one request: its calls hop onto the I/O thread (the connection's executor).
class ConnectionExchange final : public Exchange, public std::enable_shared_from_this<ConnectionExchange> {
 public:
  explicit ConnectionExchange(std::shared_ptr<Connection> connection) : connection_(std::move(connection)) {}

  void respond(HttpResponse response) override;
  void start_stream(unsigned status, std::string content_type) override;
  void write(std::string piece) override;
  void end() override;
  bool client_gone() const override { return gone_.load(); }
  void on_client_gone(std::function<void()> f) override;

  // I/O thread only.
  void mark_gone() {
    std::vector<std::function<void()>> callbacks;
    {
      std::lock_guard lock(mutex_);
      gone_ = true;
      callbacks.swap(on_gone_);
    }
    for (auto& f : callbacks) f();
  }
  bool complete = false;  // its last write is queued (I/O thread)

 private:
  std::shared_ptr<Connection> connection_;
  std::atomic<bool> gone_{false};
  std::mutex mutex_;
  std::vector<std::function<void()>> on_gone_;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, ConnectionSettings& settings)
      : stream_(std::move(socket)), settings_(settings) {
    beast::error_code ec;
    const tcp::endpoint peer = stream_.socket().remote_endpoint(ec);
    if (!ec) peer_ = peer.address().to_string() + ":" + std::to_string(peer.port());
  }

  void start() { read_request(); }

  template <typename F>
  void post(F f) {
    asio::post(stream_.get_executor(), [self = shared_from_this(), f = std::move(f)]() mutable { f(*self); });
  }

  // The reply's pieces, written in order (I/O thread).
  void queue_response(ConnectionExchange& ex, HttpResponse r) {
    if (ex.complete || streaming_) return;
    ex.complete = true;
    auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(r.status), 11);
    res->set(http::field::server, "rbee");
    res->set(http::field::content_type, r.content_type);
    for (const auto& [name, value] : r.headers) res->set(name, value);
    res->body() = std::move(r.body);
    res->keep_alive(keep_alive_);
    res->prepare_payload();
    queue(Whole{std::move(res)});
  }
  void queue_stream_start(ConnectionExchange& ex, unsigned status, std::string content_type) {
    if (ex.complete || streaming_) return;
    streaming_ = true;
    auto header = std::make_shared<StreamHeader>();
    header->message.result(static_cast<http::status>(status));
    header->message.version(11);
    header->message.set(http::field::server, "rbee");
    header->message.set(http::field::content_type, content_type);
    header->message.set(http::field::cache_control, "no-cache");
    header->message.keep_alive(keep_alive_);
    header->message.chunked(true);
    queue(std::move(header));
  }
  void queue_chunk(ConnectionExchange& ex, std::string piece) {
    if (ex.complete || !streaming_ || piece.empty()) return;
    queue(std::make_shared<std::string>(std::move(piece)));
  }
  void queue_end(ConnectionExchange& ex) {
    if (ex.complete || !streaming_) return;
    ex.complete = true;
    queue(Last{});
  }

  // The client has gone: close, and tell the exchange waiting for its reply.
  void client_gone() {
    if (closed_) return;
    close();
    if (auto ex = exchange_.lock()) ex->mark_gone();
  }
  bool closed() const { return closed_; }

 private:
  struct StreamHeader {
    http::response<http::empty_body> message;
    http::response_serializer<http::empty_body> serializer{message};
  };
  struct Whole {
    std::shared_ptr<http::response<http::string_body>> response;
  };
  struct Last {};
  using Piece = std::variant<Whole, std::shared_ptr<StreamHeader>, std::shared_ptr<std::string>, Last>;

  void read_request() {
    if (closed_) return;
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(settings_.limits.max_header_bytes));
    parser_->body_limit(settings_.limits.max_body_bytes);
    // One deadline for the header and the body together.
    stream_.expires_after(settings_.limits.timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
  }

  // A client that sent "Expect: 100-continue" (curl, for bodies over 1 KiB) waits for a go-ahead
  // before its body.
  void on_header(beast::error_code ec) {
    if (ec) return on_request(ec);
    auto read_body = [self = shared_from_this()](beast::error_code ec = {}, std::size_t = 0) {
      if (ec) return self->on_request(ec);
      http::async_read(self->stream_, self->buffer_, *self->parser_,
                       [self](beast::error_code ec, std::size_t) { self->on_request(ec); });
    };
    if (!beast::iequals(parser_->get()[http::field::expect], "100-continue") || parser_->is_done()) return read_body();
    static constexpr std::string_view go_ahead = "HTTP/1.1 100 Continue\r\n\r\n";
    asio::async_write(stream_, asio::buffer(go_ahead.data(), go_ahead.size()), std::move(read_body));
  }

  void on_request(beast::error_code ec) {
    stream_.expires_never();
    if (ec == http::error::body_limit) return refuse(413, "the request body is larger than the limit of " +
                                                              std::to_string(settings_.limits.max_body_bytes) + " bytes");
    if (ec == http::error::header_limit) return refuse(431, "the request's headers are larger than the limit of " +
                                                                std::to_string(settings_.limits.max_header_bytes) + " bytes");
    if (ec == http::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::operation_aborted ||
        ec == asio::error::connection_reset || ec == asio::error::eof)
      return close();
    if (ec) return refuse(400, std::string("malformed HTTP request: ") + ec.message());

    http::request<http::string_body> req = parser_->release();
    keep_alive_ = req.keep_alive();
    HttpRequest request;
    request.method = std::string(req.method_string());
    const std::string_view target(req.target().data(), req.target().size());
    request.path = std::string(target.substr(0, target.find('?')));
    for (const auto& field : req) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      request.headers.emplace_back(std::move(name), std::string(field.value()));
    }
    request.body = std::move(req.body());
    request.peer = peer_;

    auto ex = std::make_shared<ConnectionExchange>(shared_from_this());
    exchange_ = ex;
    streaming_ = false;
    replying(true);
    watch_for_close();
    try {
      settings_.handler(std::move(request), ex);
    } catch (const std::exception& e) {
      queue_response(*ex, settings_.errors(500, e.what()));
    }
  }

  // A reply the transport itself gives, after which the connection closes.
  void refuse(unsigned status, const std::string& message) {
    keep_alive_ = false;
    auto ex = std::make_shared<ConnectionExchange>(shared_from_this());
    exchange_ = ex;
    streaming_ = false;
    replying(true);
    queue_response(*ex, settings_.errors(status, message));
  }

  // While a reply is pending, a readable socket with nothing to read is a client that closed.
  void watch_for_close() {
    stream_.socket().async_wait(tcp::socket::wait_read, [self = shared_from_this(), watched = exchange_](beast::error_code ec) {
      if (ec == asio::error::operation_aborted || self->closed_) return;
      auto ex = watched.lock();
      // The reply went out (reading goes on as usual), or this watch is of an earlier request.
      if (!ex || ex->complete || ex != self->exchange_.lock()) return;
      beast::error_code avail_ec;
      const std::size_t available = self->stream_.socket().available(avail_ec);
      if (ec || avail_ec || available == 0) self->client_gone();
      // Bytes of a pipelined request: they wait for the reply to finish.
    });
  }

  void queue(Piece piece) {
    if (closed_) return;
    pending_.push_back(std::move(piece));
    if (!writing_) write_next();
  }

  void write_next() {
    if (pending_.empty() || closed_) {
      writing_ = false;
      return;
    }
    writing_ = true;
    Piece piece = std::move(pending_.front());
    pending_.pop_front();
    stream_.expires_after(settings_.limits.timeout);
    auto done = [self = shared_from_this(), piece](beast::error_code ec, std::size_t) {
      self->stream_.expires_never();
      if (ec) return self->client_gone();
      const bool last = std::holds_alternative<Whole>(piece) || std::holds_alternative<Last>(piece);
      if (last) return self->reply_done();
      self->write_next();
    };
    if (auto* whole = std::get_if<Whole>(&piece)) {
      http::async_write(stream_, *whole->response, std::move(done));
    } else if (auto* header = std::get_if<std::shared_ptr<StreamHeader>>(&piece)) {
      http::async_write_header(stream_, (*header)->serializer, std::move(done));
    } else if (auto* chunk = std::get_if<std::shared_ptr<std::string>>(&piece)) {
      asio::async_write(stream_, http::make_chunk(asio::buffer(**chunk)), std::move(done));
    } else {
      asio::async_write(stream_, http::make_chunk_last(), std::move(done));
    }
  }

  void reply_done() {
    replying(false);
    writing_ = false;
    streaming_ = false;
    exchange_.reset();
    if (!pending_.empty()) return write_next();
    if (!keep_alive_) return close();
    read_request();
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    replying(false);
    pending_.clear();
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.socket().close(ec);
  }

  // Counts this connection in settings_.replying while a reply is owed.
  void replying(bool now) {
    if (now == replying_) return;
    replying_ = now;
    settings_.replying += now ? 1 : -1;
  }

  beast::tcp_stream stream_;
  ConnectionSettings& settings_;
  std::string peer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::weak_ptr<ConnectionExchange> exchange_;
  std::deque<Piece> pending_;
  bool writing_ = false, streaming_ = false, keep_alive_ = true, closed_ = false, replying_ = false;
};

void ConnectionExchange::respond(HttpResponse response) {
  connection_->post([self = shared_from_this(), r = std::move(response)](Connection& c) mutable {
    c.queue_response(*self, std::move(r));
  });
}

void ConnectionExchange::start_stream(unsigned status, std::string content_type) {
  connection_->post([self = shared_from_this(), status, type = std::move(content_type)](Connection& c) mutable {
    c.queue_stream_start(*self, status, std::move(type));
  });
}

void ConnectionExchange::write(std::string piece) {
  if (gone_) return;
  connection_->post([self = shared_from_this(), p = std::move(piece)](Connection& c) mutable {
    c.queue_chunk(*self, std::move(p));
  });
}

void ConnectionExchange::end() {
  connection_->post([self = shared_from_this()](Connection& c) { c.queue_end(*self); });
}

void ConnectionExchange::on_client_gone(std::function<void()> f) {
  {
    std::lock_guard lock(mutex_);
    if (!gone_) {
      on_gone_.push_back(std::move(f));
      return;
    }
  }
  connection_->post([f = std::move(f)](Connection&) { f(); });
}

}  // namespace

void start_connection(tcp::socket socket, ConnectionSettings& settings) {
  std::make_shared<Connection>(std::move(socket), settings)->start();
}

}  // namespace rbee::host::server
