#include "core/http_client.hpp"

#include <openssl/ssl.h>

#include <strings.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace tenantd {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = boost::asio::ssl;

namespace {

constexpr std::uint64_t kMaxResponseBytes = 64ULL * 1024 * 1024;

Error transport_error(const std::string& what, const Url& url, const beast::error_code& ec) {
  return Error::make(ErrorCode::ServiceUnavailable,
                     what + " " + url.host + ":" + url.port + ": " + ec.message());
}

}  // namespace

Result<Url> Url::parse(std::string_view text) {
  Url url;
  std::string_view rest;
  if (text.substr(0, 8) == "https://") {
    url.tls = true;
    rest = text.substr(8);
  } else if (text.substr(0, 7) == "http://") {
    url.tls = false;
    rest = text.substr(7);
  } else {
    return Error::make(ErrorCode::ValidationError,
                       "URL must start with http:// or https://: " + std::string(text));
  }
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  url.path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (authority.find('@') != std::string_view::npos) {
    return Error::make(ErrorCode::ValidationError,
                       "URL must not carry user information: " + std::string(text));
  }
  std::string_view port;
  if (!authority.empty() && authority.front() == '[') {  // [IPv6]:port
    const auto close = authority.find(']');
    if (close == std::string_view::npos) {
      return Error::make(ErrorCode::ValidationError, "bad IPv6 host in URL: " + std::string(text));
    }
    url.host = std::string(authority.substr(1, close - 1));
    if (close + 1 < authority.size() && authority[close + 1] == ':') {
      port = authority.substr(close + 2);
    }
  } else {
    const auto colon = authority.rfind(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      port = authority.substr(colon + 1);
    }
  }
  if (url.host.empty()) {
    return Error::make(ErrorCode::ValidationError, "URL has no host: " + std::string(text));
  }
  for (const char c : port) {
    if (c < '0' || c > '9') {
      return Error::make(ErrorCode::ValidationError, "bad port in URL: " + std::string(text));
    }
  }
  url.port = port.empty() ? (url.tls ? "443" : "80") : std::string(port);
  return url;
}

std::string Url::host_header() const {
  const bool default_port = (tls && port == "443") || (!tls && port == "80");
  const std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return default_port ? h : h + ":" + port;
}

std::string_view HttpResponse::header(std::string_view name) const {
  for (const Header& h : headers) {
    if (h.name.size() == name.size() &&
        ::strncasecmp(h.name.data(), name.data(), name.size()) == 0) {
      return h.value;
    }
  }
  return {};
}

struct HttpClient::Tls {
  ssl::context context{ssl::context::tls_client};
};

// One TCP (or TLS) connection with its own io_context, so that a thread can run it to
// completion with timeouts while other threads use other connections.
class HttpClient::Connection {
 public:
  explicit Connection(HttpClient::Tls* tls) {
    if (tls != nullptr) {
      secure_ = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(ioc_, tls->context);
    } else {
      plain_ = std::make_unique<beast::tcp_stream>(ioc_);
    }
  }

  beast::tcp_stream& tcp() { return plain_ ? *plain_ : beast::get_lowest_layer(*secure_); }

  beast::error_code connect(const Url& url, std::chrono::milliseconds timeout) {
    beast::error_code ec;
    net::ip::tcp::resolver resolver(ioc_);
    auto endpoints = resolver.resolve(url.host, url.port, ec);
    if (ec) {
      return ec;
    }
    tcp().expires_after(timeout);
    ec = run([&](auto handler) { tcp().async_connect(endpoints, std::move(handler)); });
    if (ec || !secure_) {
      return ec;
    }
    // SNI, then certificate chain and host name checks during the handshake.
    if (SSL_set_tlsext_host_name(secure_->native_handle(), url.host.c_str()) != 1) {
      return beast::error_code(static_cast<int>(::ERR_get_error()), net::error::get_ssl_category());
    }
    secure_->set_verify_mode(ssl::verify_peer);
    secure_->set_verify_callback(ssl::host_name_verification(url.host));
    return run([&](auto handler) {
      secure_->async_handshake(ssl::stream_base::client, std::move(handler));
    });
  }

  // Writes the request and reads the response; `got_response` tells whether any of it arrived.
  beast::error_code exchange(http::request<http::string_body>& request,
                             http::response<http::string_body>& response,
                             std::chrono::milliseconds timeout, bool& got_response) {
    tcp().expires_after(timeout);
    got_response = false;
    beast::error_code ec = run([&](auto handler) {
      if (secure_) {
        http::async_write(*secure_, request, std::move(handler));
      } else {
        http::async_write(*plain_, request, std::move(handler));
      }
    });
    if (ec) {
      return ec;
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxResponseBytes);
    ec = run([&](auto handler) {
      if (secure_) {
        http::async_read(*secure_, buffer_, parser, std::move(handler));
      } else {
        http::async_read(*plain_, buffer_, parser, std::move(handler));
      }
    });
    got_response = parser.got_some();
    if (!ec) {
      response = parser.release();
    }
    return ec;
  }

 private:
  // Runs one asynchronous operation to completion on this connection's io_context.
  template <class Start>
  beast::error_code run(Start start) {
    beast::error_code result = net::error::would_block;
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    ioc_.restart();
    ioc_.run();
    return result;
  }

  net::io_context ioc_;
  std::unique_ptr<beast::tcp_stream> plain_;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> secure_;
  beast::flat_buffer buffer_;
};

HttpClient::HttpClient(Url origin, HttpOptions options)
    : origin_(std::move(origin)), options_(std::move(options)) {
  if (origin_.tls) {
    tls_ = std::make_unique<Tls>();
    tls_->context.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                              ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                              ssl::context::no_tlsv1_1);
    beast::error_code ec;
    if (options_.ca_file.empty()) {
      tls_->context.set_default_verify_paths(ec);
    } else {
      tls_->context.load_verify_file(options_.ca_file, ec);
    }
    // A bad CA file leaves the store empty: every handshake then fails verification, loudly.
    (void)ec;
  }
}

HttpClient::~HttpClient() = default;

std::size_t HttpClient::connections_opened() const {
  std::lock_guard lock(mutex_);
  return opened_;
}

Result<std::unique_ptr<HttpClient::Connection>> HttpClient::connect() {
  auto connection = std::make_unique<Connection>(tls_.get());
  const beast::error_code ec = connection->connect(origin_, options_.connect_timeout);
  if (ec) {
    return transport_error("cannot connect to", origin_, ec);
  }
  std::lock_guard lock(mutex_);
  ++opened_;
  return connection;
}

std::unique_ptr<HttpClient::Connection> HttpClient::take_idle() {
  std::lock_guard lock(mutex_);
  if (idle_.empty()) {
    return nullptr;
  }
  auto connection = std::move(idle_.back());
  idle_.pop_back();
  return connection;
}

void HttpClient::give_back(std::unique_ptr<Connection> connection) {
  std::lock_guard lock(mutex_);
  if (idle_.size() < options_.max_idle_connections) {
    idle_.push_back(std::move(connection));
  }
}

Result<HttpResponse> HttpClient::send(const HttpRequest& request) {
  http::request<http::string_body> req;
  req.method(http::string_to_verb(request.method));
  req.target(request.target);
  req.version(11);
  req.set(http::field::host, origin_.host_header());
  for (const Header& h : request.headers) {
    req.set(h.name, h.value);
  }
  req.body() = request.body;
  req.keep_alive(true);
  req.prepare_payload();

  for (int attempt = 0; attempt < 2; ++attempt) {
    std::unique_ptr<Connection> connection = attempt == 0 ? take_idle() : nullptr;
    const bool reused = connection != nullptr;
    if (!connection) {
      TENANTD_TRY_ASSIGN(auto opened, connect());
      connection = std::move(opened);
    }
    http::response<http::string_body> res;
    bool got_response = false;
    const beast::error_code ec =
        connection->exchange(req, res, options_.request_timeout, got_response);
    if (ec) {
      if (reused && !got_response && ec != beast::error::timeout) {
        continue;  // a stale keep-alive connection: try once on a new one
      }
      return transport_error("request to", origin_, ec);
    }
    HttpResponse out;
    out.status = static_cast<int>(res.result_int());
    for (const auto& field : res) {
      out.headers.push_back(Header{std::string(field.name_string()), std::string(field.value())});
    }
    out.body = std::move(res.body());
    if (res.keep_alive()) {
      give_back(std::move(connection));
    }
    return out;
  }
  return Error::make(ErrorCode::ServiceUnavailable, "request to " + origin_.host + " failed");
}

}  // namespace tenantd
