#pragma once
// The `serve` door: an HTTP/1.1 server (Boost.Beast parser on Boost.Asio) that turns each request
// into a tenantd::Request, calls the RequestHandler on the I/O thread (or, for writes, on a writer
// thread) and writes its Response.
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
  // Event loops, each run by one thread that serves its connections start to finish (accepted
  // connections go to the loops in turn); 0: std::thread::hardware_concurrency().
  int threads = 0;
  // Threads that run the handlers of requests other than GET, HEAD and OPTIONS, so that writes
  // can wait for a group commit without holding a loop; the response goes back to the
  // connection's loop (docs/decisions/0030-group-commit.md). 0: every handler runs on its loop.
  int write_threads = 0;
  std::size_t body_limit = std::size_t{64} * 1024;  // larger bodies: 413 PAYLOAD_TOO_LARGE
  // Request line + headers, and separately the trailers of a chunked body: larger is 431.
  std::size_t header_limit = std::size_t{16} * 1024;
  std::chrono::milliseconds idle_timeout{60'000};  // keep-alive connection without a request
  std::chrono::milliseconds read_timeout{30'000};  // started request, or a response being written
  // Connections over a cap are closed at once, before anything is read (0: the default, see
  // docs/decisions/0018-http-and-json-input-limits.md).
  std::size_t max_connections = 0;             // all clients together
  std::size_t max_connections_per_client = 0;  // one remote address
  // Called for each connection closed at accept because of a cap ("global" or "per_client"),
  // under the server's session lock: keep it to a counter increment.
  std::function<void(std::string_view reason)> on_connection_refused;
  // Where the server reports what it cannot answer itself (handler exceptions); default stderr.
  std::function<void(std::string_view)> log;
  // Called on each loop's thread: when it starts, after each turn (the handlers that were ready
  // at once, before the loop waits again and before the turn's responses are sent) and when it
  // stops. The app flushes the request log's per-thread buffer there
  // (docs/operations.md#observability). Empty: nothing is called.
  std::function<void()> on_loop_start;
  std::function<void()> on_loop_turn;
  std::function<void()> on_loop_exit;
  // Called on a loop's thread around the turn's read requests (GET, HEAD, OPTIONS), which are
  // answered together once the turn's reads from the sockets are done: each of them arrived
  // before the first is answered, so they may share one snapshot of the store without missing
  // a write acknowledged before any of them was sent
  // (docs/decisions/0035-read-batches-share-a-snapshot.md). Empty: nothing is called.
  std::function<void()> before_read_batch;
  std::function<void()> after_read_batch;
};

// The API's error response (docs/http-api.md#errors) (the API's own format) for what the server
// answers without the handler (413, 400, 500), with the X-Request-Id header.
Response server_error_response(ErrorCode code, std::string message, std::string_view request_id);

// The caller's X-Request-Id when it is sane (1..128 of [A-Za-z0-9._:-]), else a new one.
std::string choose_request_id(const std::string* header);

struct Loop;  // one event loop and its thread's work (http_server.cpp)

class HttpServer {
 public:
  HttpServer(RequestHandler& handler, HttpServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens; returns the bound port (port 0 takes a free one).
  Result<int> listen(const std::string& host, int port);
  // Serves on `threads` event loops, one thread each (the caller's among them), until stop() has
  // finished.
  void run();
  // Stops accepting, lets in-flight requests finish (at most `grace`), closes idle connections,
  // then makes run() return. Blocks until then; call it from a thread that is not serving.
  void stop(std::chrono::milliseconds grace);

  std::size_t open_connections() const;
  std::size_t max_connections() const { return options_.max_connections; }
  std::size_t max_connections_per_client() const { return options_.max_connections_per_client; }

  class Session;  // one connection; public so that the implementation file can name it

 private:
  friend class Session;
  void accept_next();
  void serve_loop(std::size_t index);
  void answer_reads(Loop& loop);
  void end_turn(Loop& loop);
  void forget(Session* session, const std::string& address);
  // Takes a slot for `address` under sessions_mutex_; nullptr when a cap is reached.
  const char* over_cap(const std::string& address) const;
  void log(const std::string& line);
  bool stopping() const { return stopping_.load(std::memory_order_relaxed); }

  struct Impl;  // Asio objects, kept out of the header to keep Boost out of every includer
  RequestHandler& handler_;
  HttpServerOptions options_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex sessions_mutex_;
  std::condition_variable sessions_drained_;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions_;
  std::unordered_map<std::string, std::size_t> per_client_;  // open connections per address
  std::unique_ptr<Impl> impl_;  // last: destroyed first, while the members above still live
};

}  // namespace tenantd::transport
