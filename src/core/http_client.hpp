#pragma once
// A small blocking HTTP/1.1 client (AWS endpoints, JWKS, webhooks, GitHub): one origin, keep-alive
// connections reused from a pool, connect and request timeouts, TLS verified against a CA bundle.
// It makes one attempt per call; retries belong to the caller (aws_transport).
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/http_message.hpp"
#include "core/result.hpp"

namespace tenantd {

struct Url {
  bool tls = true;
  std::string host;
  std::string port;  // "443", "80" or explicit
  std::string path;  // "/" when absent; includes the query, if any

  // http:// or https:// URLs only; nullopt-like error for anything else.
  static Result<Url> parse(std::string_view text);
  // The Host header: host, plus ":port" when the port is not the scheme's default.
  std::string host_header() const;
};

struct HttpOptions {
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds request_timeout{10000};  // write + read of one exchange
  std::string ca_file;                               // empty: the system's default CA paths
  std::size_t max_idle_connections = 32;
};

struct HttpRequest {
  std::string method = "POST";
  std::string target = "/";
  std::vector<Header> headers;  // Host is added by the client
  std::string body;
};

struct HttpResponse {
  int status = 0;
  std::vector<Header> headers;
  std::string body;

  std::string_view header(std::string_view name) const;  // case-insensitive; "" when absent
};

class HttpClient {
 public:
  HttpClient(Url origin, HttpOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // One exchange. A transport failure (connect, TLS, timeout, reset) is a SERVICE_UNAVAILABLE
  // error; any HTTP status is a response. A request that fails on a reused idle connection before
  // a response arrives is sent once more on a new connection (the server may have closed it).
  Result<HttpResponse> send(const HttpRequest& request);

  const Url& origin() const { return origin_; }
  // Connections opened so far (tests check reuse).
  std::size_t connections_opened() const;

 private:
  class Connection;
  Result<std::unique_ptr<Connection>> connect();
  std::unique_ptr<Connection> take_idle();
  void give_back(std::unique_ptr<Connection> connection);

  Url origin_;
  HttpOptions options_;
  struct Tls;
  std::unique_ptr<Tls> tls_;
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::size_t opened_ = 0;
};

}  // namespace tenantd
