#pragma once
// The `serve` door: an HTTP/1.1 server (Boost.Beast parser on Boost.Asio) that turns each request
// into a tenantd::Request, calls the RequestHandler on the I/O thread and writes its Response.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/http_message.hpp"
#include "core/result.hpp"

namespace tenantd::transport {

struct HttpServerOptions {
  int threads = 0;                                    // 0: std::thread::hardware_concurrency()
  std::size_t body_limit = std::size_t{64} * 1024;    // larger bodies: 413 PAYLOAD_TOO_LARGE
  std::size_t header_limit = std::size_t{16} * 1024;  // larger request heads: 400
  std::chrono::milliseconds idle_timeout{60'000};     // keep-alive connection without a request
  std::chrono::milliseconds read_timeout{30'000};  // started request, or a response being written
  // Where the server reports what it cannot answer itself (handler exceptions); default stderr.
  std::function<void(std::string_view)> log;
};

// The SPEC error response (the API's own format) for what the server answers without the
// handler (413, 400, 500), with the X-Request-Id header.
Response server_error_response(ErrorCode code, std::string message, std::string_view request_id);

// The caller's X-Request-Id when it is sane (1..128 of [A-Za-z0-9._:-]), else a new one.
std::string choose_request_id(const std::string* header);

class HttpServer {
 public:
  HttpServer(RequestHandler& handler, HttpServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens; returns the bound port (port 0 takes a free one).
  Result<int> listen(const std::string& host, int port);
  // Serves on `threads` threads (the caller's among them) until stop() has finished.
  void run();
  // Stops accepting, lets in-flight requests finish (at most `grace`), closes idle connections,
  // then makes run() return. Blocks until then; call it from a thread that is not serving.
  void stop(std::chrono::milliseconds grace);

  std::size_t open_connections() const;

  class Session;  // one connection; public so that the implementation file can name it

 private:
  friend class Session;
  void accept_next();
  void forget(Session* session);
  void log(const std::string& line);
  bool stopping() const { return stopping_.load(std::memory_order_relaxed); }

  struct Impl;  // Asio objects, kept out of the header to keep Boost out of every includer
  RequestHandler& handler_;
  HttpServerOptions options_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex sessions_mutex_;
  std::condition_variable sessions_drained_;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions_;
  std::unique_ptr<Impl> impl_;  // last: destroyed first, while the members above still live
};

}  // namespace tenantd::transport
