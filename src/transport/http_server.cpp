#include "transport/http_server.hpp"

#include "api/responses.hpp"

#include <sys/resource.h>
#include <algorithm>
#include <array>
#include <boost/asio/buffer.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <charconv>
#include <cstdio>
#include <ctime>
#include <exception>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "core/json.hpp"
#include "core/thread_kind.hpp"

namespace tenantd::transport {

namespace net = boost::asio;
namespace http = boost::beast::http;
using tcp = net::ip::tcp;
using error_code = boost::system::error_code;
using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kReadChunk = std::size_t{16} * 1024;
// After an error response the client may still be sending (a too large body): read and discard
// for a little while before closing, so that our response is not lost to a TCP reset.
constexpr std::chrono::milliseconds kLingerTime{2000};
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

bool has_line_break(std::string_view s) {
  return s.find_first_of("\r\n") != std::string_view::npos;
}

void append_int(std::string& out, std::size_t n) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, r.ptr);
}

// RFC 9110 wants a Date on every response; it changes once a second, so format it once a second.
void append_date(std::string& out) {
  thread_local std::time_t cached_second = -1;
  thread_local char cached[40];
  thread_local std::size_t cached_size = 0;
  const std::time_t now = std::time(nullptr);
  if (now != cached_second) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    cached_size = std::strftime(cached, sizeof cached, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    cached_second = now;
  }
  out.append(cached, cached_size);
}

// "http://host:1/a?b" (absolute form, sent to proxies but legal to servers) -> "/a?b".
std::string_view origin_form(std::string_view target) {
  for (const std::string_view scheme :
       {std::string_view("http://"), std::string_view("https://")}) {
    if (target.size() > scheme.size() && iequals(target.substr(0, scheme.size()), scheme)) {
      const auto slash = target.find_first_of("/?", scheme.size());
      if (slash == std::string_view::npos) {
        return "/";
      }
      return target.substr(slash);
    }
  }
  return target;
}

// Every log line is JSON, even without a logger wired in (tests, embedders).
void default_log(std::string_view line) {
  JsonWriter out;
  out.begin_object().field("level", "error").field("message", line).end_object();
  const std::string text = out.str() + "\n";
  std::fwrite(text.data(), 1, text.size(), stderr);
}

constexpr std::size_t kDefaultPerClientCap = 256;
constexpr std::size_t kDefaultGlobalCap = 10'000;
constexpr std::size_t kReservedDescriptors = 128;  // store, event file, outgoing HTTP, logs

// The global cap by default stays under the descriptor limit, so that accept never runs out.
std::size_t default_global_cap() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) {
    return kDefaultGlobalCap;
  }
  const auto usable = static_cast<std::size_t>(limit.rlim_cur);
  if (usable <= 2 * kReservedDescriptors) {
    return std::max<std::size_t>(usable / 2, 1);
  }
  return std::min(kDefaultGlobalCap, usable - kReservedDescriptors);
}

// A header line that starts with SP or HTAB (obsolete line folding, RFC 9112 section 5.2) in the
// request head at the front of `data`; only the head is searched, never the body after it.
bool head_has_obs_fold(std::string_view data) {
  const std::size_t end = data.find("\r\n\r\n");
  const std::size_t last = end == std::string_view::npos ? data.size() : end + 1;
  for (std::size_t nl = data.find('\n'); nl != std::string_view::npos && nl < last;
       nl = data.find('\n', nl + 1)) {
    if (nl + 1 < data.size() && (data[nl + 1] == ' ' || data[nl + 1] == '\t')) {
      return true;
    }
  }
  return false;
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

// What the server refuses before a request reaches the API, in the API's error format.
struct Rejection {
  int status;
  std::string_view code;
  std::string message;
};

constexpr std::string_view kValidationError = "VALIDATION_ERROR";
constexpr std::string_view kHeadTooLarge = "REQUEST_HEADER_FIELDS_TOO_LARGE";

// RFC 9112 section 6: the only transfer coding served is exactly `chunked`; anything else would
// leave the body's end to guesswork (request smuggling), so it is refused and the connection
// closed. Content-Length together with Transfer-Encoding is refused for the same reason.
template <class Message>
std::optional<Rejection> check_framing(const Message& message) {
  std::vector<std::string_view> codings;
  for (const auto& field : message) {
    if (field.name() != http::field::transfer_encoding) {
      continue;
    }
    std::string_view value = field.value();
    while (!value.empty()) {
      const auto comma = value.find(',');
      const std::string_view coding = trim_ows(value.substr(0, comma));
      if (!coding.empty()) {
        codings.push_back(coding);
      }
      value = comma == std::string_view::npos ? std::string_view() : value.substr(comma + 1);
    }
  }
  if (codings.empty()) {
    return std::nullopt;
  }
  if (message.find(http::field::content_length) != message.end()) {
    return Rejection{400, kValidationError,
                     "Transfer-Encoding and Content-Length must not both be sent"};
  }
  if (codings.size() == 1 && iequals(codings.front(), "chunked")) {
    return std::nullopt;
  }
  const bool names_chunked = std::any_of(codings.begin(), codings.end(),
                                         [](std::string_view c) { return iequals(c, "chunked"); });
  if (names_chunked) {
    return Rejection{400, kValidationError, "Transfer-Encoding must be exactly 'chunked', once"};
  }
  return Rejection{501, "NOT_IMPLEMENTED", "Transfer-Encoding is not supported; only 'chunked' is"};
}

}  // namespace

Response server_error_response(ErrorCode code, std::string message, std::string_view request_id) {
  Response response = api::error_response(Error::make(code, std::move(message)), request_id,
                                          std::chrono::system_clock::now());
  response.set_header("X-Request-Id", std::string(request_id));
  return response;
}

std::string choose_request_id(const std::string* header) {
  if (header != nullptr && is_sane_request_id(*header)) {
    return *header;
  }
  return correlation_uuid();
}

// One event loop per thread: an io_context that exactly one thread runs (concurrency hint 1), so
// that a connection is served start to finish on one thread with no strand and no handoff
// (docs/decisions/0029-one-event-loop-per-core.md).
struct Loop {
  Loop() : ioc(1), work(net::make_work_guard(ioc)) {}
  net::io_context ioc;
  // Keeps run_one() waiting while the loop has no connection; stop() ends it with ioc.stop().
  net::executor_work_guard<net::io_context::executor_type> work;
  // Responses of this turn, sent when it ends, after on_loop_turn: a client never sees its
  // response before the request's log line is written (HttpServer::end_turn).
  std::vector<std::shared_ptr<HttpServer::Session>> ready;
  // Read requests of this turn, answered together after its socket reads (answer_reads).
  std::vector<std::shared_ptr<HttpServer::Session>> reads;
  std::vector<std::shared_ptr<HttpServer::Session>>
      sending;  // ready's spare, kept for its capacity
};

struct HttpServer::Impl {
  Impl(int threads, int write_threads) {
    loops.reserve(static_cast<std::size_t>(threads));
    for (int i = 0; i < threads; ++i) {
      loops.push_back(std::make_unique<Loop>());
    }
    acceptor.emplace(loops.front()->ioc);
    accept_retry.emplace(loops.front()->ioc);
    if (write_threads > 0) {
      writers.emplace(static_cast<std::size_t>(write_threads));
    }
  }
  ~Impl() {
    // Writers post to the loops: they stop first. The acceptor and its timer belong to loop 0:
    // they go before the loops.
    writers.reset();
    accept_retry.reset();
    acceptor.reset();
  }
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  std::vector<std::unique_ptr<Loop>> loops;
  // Both on loop 0, touched only by its thread once run() has started.
  std::optional<tcp::acceptor> acceptor;
  std::optional<net::steady_timer> accept_retry;
  std::size_t next_loop = 0;  // round-robin: the loop that gets the next accepted connection
  // Threads that run the handlers of requests that may write (HttpServerOptions::write_threads).
  std::optional<net::thread_pool> writers;
};

namespace {

// Requests that may change state: their handlers may wait for a group commit, so they run on
// the writer threads when there are any. Reads stay on their loop (decision 0029).
bool may_write(http::verb method) {
  return method != http::verb::get && method != http::verb::head && method != http::verb::options;
}

}  // namespace

// One connection. Every handler of a session runs on the one thread of its loop, so its members
// need no lock; the one exception is a write's request handler, which runs on a writer thread
// while the session is Handling and touches only request_ (the loop leaves it alone until the
// response is posted back).
// Requests are parsed from one flat_buffer that lives as long as the connection, so pipelined
// requests are answered one after another, in order.
class HttpServer::Session : public std::enable_shared_from_this<HttpServer::Session> {
 public:
  Session(HttpServer& server, Loop& loop, tcp::socket socket, std::string remote)
      : server_(server),
        loop_(loop),
        socket_(std::move(socket)),
        timer_(socket_.get_executor()),
        remote_(std::move(remote)) {}
  ~Session() { server_.forget(this, remote_); }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  net::any_io_executor executor() { return socket_.get_executor(); }

  void start() {
    if (phase_ == Phase::Closed) {
      return;  // stop() reached the session before its start
    }
    error_code ec;
    socket_.set_option(tcp::no_delay(true), ec);
    arm_timer(SteadyClock::now() + server_.options_.idle_timeout);
    next_request();
  }

  // The server is stopping: a connection waiting for its next request closes now; one with a
  // request under way finishes it (its response then says Connection: close).
  void on_server_stop() {
    if (phase_ == Phase::Idle && buffer_.size() == 0) {
      close();
    }
  }

 private:
  // Handling: the handler runs on a writer thread, or waits for the turn's read batch; the loop
  // leaves the session alone meanwhile.
  enum class Phase { Idle, Reading, Handling, Writing, Lingering, Closed };

  void next_request() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(server_.options_.header_limit));
    parser_->body_limit(server_.options_.body_limit);
    // Not eager until the head is checked (framing, obs-fold): put() then stops after the head.
    parser_->eager(false);
    framing_checked_ = false;
    head_bytes_ = 0;
    sent_continue_ = false;
    if (buffer_.size() > 0) {  // a pipelined request is already here
      phase_ = Phase::Reading;
      set_deadline(server_.options_.read_timeout, true);
      parse();
      return;
    }
    if (server_.stopping()) {
      close();
      return;
    }
    phase_ = Phase::Idle;
    set_deadline(server_.options_.idle_timeout, false);
    read_more();
  }

  void read_more() {
    socket_.async_read_some(
        buffer_.prepare(kReadChunk),
        [self = shared_from_this()](error_code ec, std::size_t n) { self->on_read(ec, n); });
  }

  void on_read(error_code ec, std::size_t n) {
    if (phase_ == Phase::Closed) {
      return;
    }
    if (ec) {
      close();  // EOF, reset, timeout or stop: nothing to answer
      return;
    }
    buffer_.commit(n);
    parse();
  }

  void parse() {
    error_code ec;
    while (buffer_.size() > 0 && !parser_->is_done()) {
      if (!parser_->is_header_done() &&
          head_has_obs_fold(
              std::string_view(static_cast<const char*>(buffer_.data().data()), buffer_.size()))) {
        reject({400, kValidationError, "Obsolete line folding is not accepted in a header"});
        return;
      }
      const std::size_t used = parser_->put(buffer_.data(), ec);
      buffer_.consume(used);
      if (parser_->is_header_done() && !framing_checked_) {
        framing_checked_ = true;
        head_bytes_ = used;  // a head is parsed in one put(), once it is all here
        if (auto problem = check_framing(parser_->get())) {
          reject(*problem);
          return;
        }
        parser_->eager(true);
      }
      if (ec == http::error::need_more) {
        ec = {};
        break;
      }
      if (ec) {
        break;
      }
    }
    if (ec == http::error::body_limit) {
      fail(ErrorCode::PayloadTooLarge, "The request body exceeds 64 KiB");
      return;
    }
    if (ec == http::error::header_limit) {
      reject({431, kHeadTooLarge, "The request head exceeds 16 KiB"});
      return;
    }
    if (ec) {
      fail(ErrorCode::ValidationError, "Malformed HTTP request");
      return;
    }
    // What waits unparsed after the head is a chunk-size line or the trailer section, which the
    // parser keeps until it is complete: it counts against the head limit, or memory would grow
    // without bound.
    if (parser_->is_header_done() && !parser_->is_done() &&
        head_bytes_ + buffer_.size() > server_.options_.header_limit) {
      reject({431, kHeadTooLarge, "The request head and trailers exceed 16 KiB"});
      return;
    }
    if (parser_->is_done()) {
      handle();
      return;
    }
    if (phase_ == Phase::Idle) {  // a request has begun: it must now arrive within read_timeout
      phase_ = Phase::Reading;
      set_deadline(server_.options_.read_timeout, true);
    }
    if (parser_->is_header_done() && !sent_continue_) {
      const auto expect = parser_->get()[http::field::expect];
      if (iequals(expect, "100-continue")) {
        sent_continue_ = true;
        net::async_write(socket_, net::buffer(kContinue.data(), kContinue.size()),
                         [self = shared_from_this()](error_code ec2, std::size_t) {
                           if (ec2) {
                             self->close();
                             return;
                           }
                           self->read_more();
                         });
        return;
      }
    }
    read_more();
  }

  void handle() {
    auto& message = parser_->get();
    keep_alive_ = message.keep_alive() && !server_.stopping();
    http10_ = message.version() < 11;
    head_request_ = message.method() == http::verb::head;

    // Refill the reused Request: its strings and header slots keep their capacity.
    request_.method.assign(message.method_string());
    const std::string_view target = origin_form(message.target());
    const auto q = target.find('?');
    request_.path.assign(target.substr(0, q));
    if (q == std::string_view::npos) {
      request_.query.clear();
    } else {
      request_.query.assign(target.substr(q + 1));
    }
    std::size_t count = 0;
    for (const auto& field : message) {
      if (count == request_.headers.size()) {
        request_.headers.emplace_back();
      }
      request_.headers[count].name.assign(field.name_string());
      request_.headers[count].value.assign(field.value());
      ++count;
    }
    request_.headers.resize(count);
    request_.body = std::move(message.body());
    request_.remote_address.assign(remote_);
    request_.request_id.clear();
    request_.trace_id.clear();

    if (server_.impl_->writers && may_write(message.method())) {
      // request_ belongs to the writer thread until the response is posted back.
      phase_ = Phase::Handling;
      net::post(*server_.impl_->writers, [self = shared_from_this()]() mutable {
        thread_kind::pooled = true;
        Response response = self->call_handler();
        auto executor = self->executor();
        net::post(executor, [self = std::move(self), response = std::move(response)]() mutable {
          if (self->phase_ == Phase::Handling) {
            self->write(std::move(response));
          }
        });
      });
      return;
    }
    if (!may_write(message.method())) {
      phase_ = Phase::Handling;
      loop_.reads.push_back(shared_from_this());  // answered with the turn's other reads
      return;
    }
    write(call_handler());
  }

 public:
  // Answers the read request handle() set aside for the turn's read batch.
  void answer_read() {
    if (phase_ == Phase::Handling) {
      write(call_handler());
    }
  }

 private:
  Response call_handler() {
    try {
      return server_.handler_.handle(request_);
    } catch (const std::exception& e) {
      return internal_error(std::string("request handler threw: ") + e.what());
    } catch (...) {
      return internal_error("request handler threw a non-standard exception");
    }
  }

  Response internal_error(const std::string& what) {
    const std::string id = choose_request_id(request_.header("X-Request-Id"));
    server_.log(what + " (request " + id + ")");
    return server_error_response(ErrorCode::InternalError, "An internal error occurred", id);
  }

  // Answers with a status the API's ErrorCode does not have (431, 501), then closes.
  void reject(const Rejection& rejection) {
    const std::string id_value(parser_->get()["X-Request-Id"]);
    const std::string id = choose_request_id(id_value.empty() ? nullptr : &id_value);
    JsonWriter out;
    out.begin_object()
        .key("error")
        .begin_object()
        .field("code", rejection.code)
        .field("message", rejection.message)
        .end_object()
        .field("requestId", id)
        .field("timestamp", format_time(std::chrono::system_clock::now()))
        .end_object();
    Response response;
    response.status = rejection.status;
    response.set_header("Content-Type", "application/json");
    response.set_header("X-Request-Id", id);
    response.body = out.str();
    keep_alive_ = false;
    rejected_ = true;
    http10_ = false;
    head_request_ = false;
    write(std::move(response));
  }

  // Answers a request the parser rejected, then closes the connection.
  void fail(ErrorCode code, std::string message) {
    // The head may be only partly parsed (a Content-Length over the limit stops the parser at
    // the end of the head); what has been parsed is enough to find the caller's request id.
    const std::string id_value(parser_->get()["X-Request-Id"]);
    const std::string* id_header = id_value.empty() ? nullptr : &id_value;
    keep_alive_ = false;
    rejected_ = true;
    http10_ = false;
    head_request_ = false;
    write(server_error_response(code, std::move(message), choose_request_id(id_header)));
  }

  void write(Response&& response) {
    int status = response.status;
    if (status < 100 || status > 599) {
      status = 500;
    }
    for (const auto& h : response.headers) {
      if (iequals(h.name, "Connection") && iequals(h.value, "close")) {
        keep_alive_ = false;
      }
    }
    if (server_.stopping()) {
      keep_alive_ = false;  // stop() came while the handler ran
    }
    const bool bodiless = status < 200 || status == 204 || status == 304;

    head_.clear();
    head_ += "HTTP/1.1 ";
    append_int(head_, static_cast<std::size_t>(status));
    head_ += ' ';
    const auto reason = http::obsolete_reason(http::int_to_status(static_cast<unsigned>(status)));
    head_ += reason;
    head_ += "\r\n";
    bool has_date = false;
    for (const auto& h : response.headers) {
      has_date = has_date || iequals(h.name, "Date");
      // The server owns framing; a header with a line break would split the response.
      if (h.name.empty() || iequals(h.name, "Content-Length") ||
          iequals(h.name, "Transfer-Encoding") || iequals(h.name, "Connection") ||
          has_line_break(h.name) || has_line_break(h.value)) {
        continue;
      }
      head_ += h.name;
      head_ += ": ";
      head_ += h.value;
      head_ += "\r\n";
    }
    if (!has_date) {
      head_ += "Date: ";
      append_date(head_);
      head_ += "\r\n";
    }
    if (!bodiless) {
      head_ += "Content-Length: ";
      append_int(head_, response.body.size());
      head_ += "\r\n";
    }
    if (!keep_alive_) {
      head_ += "Connection: close\r\n";
    } else if (http10_) {
      head_ += "Connection: keep-alive\r\n";
    }
    head_ += "\r\n";
    body_ = std::move(response.body);

    phase_ = Phase::Writing;
    set_deadline(server_.options_.read_timeout, false);
    send_body_ = !bodiless && !head_request_;
    loop_.ready.push_back(shared_from_this());  // sent by send() when the turn ends
  }

 public:
  // Sends the response that write() prepared; called by the loop at the end of the turn.
  void send() {
    if (phase_ != Phase::Writing) {
      return;  // closed meanwhile (timeout)
    }
    const std::array<net::const_buffer, 2> buffers = {
        net::buffer(head_), send_body_ ? net::buffer(body_) : net::const_buffer()};
    net::async_write(socket_, buffers, [self = shared_from_this()](error_code ec, std::size_t) {
      self->on_write(ec);
    });
  }

 private:
  void on_write(error_code ec) {
    if (phase_ == Phase::Closed) {
      return;
    }
    if (ec) {
      close();
      return;
    }
    if (!keep_alive_) {
      // Lingering is only needed when the client may still be sending (a rejected request,
      // or pipelined requests after a closing one); otherwise close now, which stop() waits for.
      if (rejected_ || buffer_.size() > 0) {
        linger();
      } else {
        close();
      }
      return;
    }
    next_request();
  }

  // Half-closes and discards what the client still sends, until it closes or time runs out.
  void linger() {
    phase_ = Phase::Lingering;
    error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
    if (ec) {
      close();
      return;
    }
    buffer_.clear();
    set_deadline(kLingerTime, true);
    discard();
  }

  void discard() {
    socket_.async_read_some(buffer_.prepare(kReadChunk),
                            [self = shared_from_this()](error_code ec, std::size_t) {
                              if (ec || self->phase_ == Phase::Closed) {
                                self->close();
                                return;
                              }
                              self->buffer_.clear();
                              self->discard();
                            });
  }

  void close() {
    if (phase_ == Phase::Closed) {
      return;
    }
    phase_ = Phase::Closed;
    error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
    timer_.cancel();
  }

  // One timer per connection, re-armed lazily: moving the deadline later costs nothing, the
  // timer just finds it in the future when it fires. Only `precise` deadlines re-arm at once.
  void set_deadline(std::chrono::milliseconds from_now, bool precise) {
    deadline_ = SteadyClock::now() + from_now;
    if (precise && deadline_ < timer_expiry_) {
      arm_timer(deadline_);
    }
  }

  void arm_timer(SteadyClock::time_point at) {
    deadline_ = std::max(deadline_, at);
    timer_expiry_ = at;
    timer_.expires_at(at);
    timer_.async_wait([self = shared_from_this()](error_code ec) { self->on_timer(ec); });
  }

  void on_timer(error_code ec) {
    if (ec == net::error::operation_aborted || phase_ == Phase::Closed) {
      return;  // re-armed or closed
    }
    if (phase_ == Phase::Handling) {
      // A handler is never cut off (it may be committing); the deadline starts again after it.
      arm_timer(SteadyClock::now() + server_.options_.read_timeout);
      return;
    }
    if (SteadyClock::now() >= deadline_) {
      close();
      return;
    }
    arm_timer(deadline_);
  }

  HttpServer& server_;
  Loop& loop_;
  tcp::socket socket_;
  net::steady_timer timer_;
  SteadyClock::time_point deadline_{};
  SteadyClock::time_point timer_expiry_{};
  boost::beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  Request request_;
  std::string head_;
  std::string body_;
  std::string remote_;
  Phase phase_ = Phase::Idle;
  bool keep_alive_ = true;
  bool http10_ = false;
  bool head_request_ = false;
  bool sent_continue_ = false;
  bool send_body_ = false;
  bool rejected_ = false;
  bool framing_checked_ = false;
  std::size_t head_bytes_ = 0;
};

HttpServer::HttpServer(RequestHandler& handler, HttpServerOptions options)
    : handler_(handler), options_(std::move(options)) {
  if (!options_.log) {
    options_.log = default_log;
  }
  int threads = options_.threads;
  if (threads <= 0) {
    threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  }
  if (options_.max_connections == 0) {
    options_.max_connections = default_global_cap();
  }
  if (options_.max_connections_per_client == 0) {
    options_.max_connections_per_client = std::min(kDefaultPerClientCap, options_.max_connections);
  }
  impl_ = std::make_unique<Impl>(threads, std::max(0, options_.write_threads));
}

HttpServer::~HttpServer() = default;

Result<int> HttpServer::listen(const std::string& host, int port) {
  const auto fail = [&](const std::string& what, const error_code& ec) -> Error {
    return Error::make(ErrorCode::InternalError, "cannot listen on " + host + ":" +
                                                     std::to_string(port) + ": " + what + ": " +
                                                     ec.message());
  };
  if (port < 0 || port > 65535) {
    return Error::make(ErrorCode::ValidationError, "port out of range: " + std::to_string(port));
  }
  error_code ec;
  tcp::resolver resolver(impl_->loops.front()->ioc);
  const auto results = resolver.resolve(
      host, std::to_string(port), tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || results.empty()) {
    return fail("resolve", ec);
  }
  const tcp::endpoint endpoint = results.begin()->endpoint();
  auto& acceptor = *impl_->acceptor;
  acceptor.open(endpoint.protocol(), ec);
  if (ec) {
    return fail("open", ec);
  }
  acceptor.set_option(net::socket_base::reuse_address(true), ec);
  acceptor.bind(endpoint, ec);
  if (ec) {
    acceptor.close();
    return fail("bind", ec);
  }
  acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    acceptor.close();
    return fail("listen", ec);
  }
  const int bound = acceptor.local_endpoint(ec).port();
  net::post(impl_->loops.front()->ioc, [this] { accept_next(); });
  return bound;
}

void HttpServer::accept_next() {
  // The socket belongs to the next loop in turn: its session runs there from start to finish.
  Loop& loop = *impl_->loops[impl_->next_loop];
  impl_->next_loop = (impl_->next_loop + 1) % impl_->loops.size();
  impl_->acceptor->async_accept(loop.ioc, [this, &loop](error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !impl_->acceptor->is_open()) {
      return;
    }
    if (ec) {
      // Typically out of file descriptors: back off briefly instead of spinning.
      options_.log("accept failed: " + ec.message());
      impl_->accept_retry->expires_after(std::chrono::milliseconds(50));
      impl_->accept_retry->async_wait([this](error_code wait_ec) {
        if (!wait_ec) {
          accept_next();
        }
      });
      return;
    }
    error_code peer_ec;
    const auto peer = socket.remote_endpoint(peer_ec);
    std::string address = peer_ec ? std::string() : peer.address().to_string();
    std::shared_ptr<Session> session;
    const char* refused = nullptr;
    {
      std::lock_guard lock(sessions_mutex_);
      if (stopping_) {
        return;  // the socket closes as it goes out of scope
      }
      refused = over_cap(address);
      if (refused != nullptr) {
        // Counted first, so that whoever sees the close also sees the count (the callback
        // only bumps a counter); closed before anything is read, so that one client cannot
        // hold every descriptor.
        if (options_.on_connection_refused) {
          options_.on_connection_refused(refused);
        }
        error_code close_ec;
        socket.close(close_ec);
      } else {
        ++per_client_[address];
        session = std::make_shared<Session>(*this, loop, std::move(socket), std::move(address));
        sessions_.emplace(session.get(), session);
      }
    }
    if (session == nullptr) {
      accept_next();
      return;
    }
    net::post(session->executor(), [session] { session->start(); });
    accept_next();
  });
}

const char* HttpServer::over_cap(const std::string& address) const {
  if (sessions_.size() >= options_.max_connections) {
    return "global";
  }
  const auto it = per_client_.find(address);
  if (it != per_client_.end() && it->second >= options_.max_connections_per_client) {
    return "per_client";
  }
  return nullptr;
}

void HttpServer::forget(Session* session, const std::string& address) {
  std::lock_guard lock(sessions_mutex_);
  sessions_.erase(session);
  if (const auto it = per_client_.find(address); it != per_client_.end() && --it->second == 0) {
    per_client_.erase(it);
  }
  if (sessions_.empty()) {
    sessions_drained_.notify_all();
  }
}

void HttpServer::log(const std::string& line) {
  options_.log(line);
}

// Runs one loop on the calling thread until stop(). A turn is the handlers that are ready at
// once (at most kTurnHandlers of them); end_turn() follows each, before the loop waits again.
void HttpServer::serve_loop(std::size_t index) {
  constexpr int kTurnHandlers = 64;
  Loop& loop = *impl_->loops[index];
  if (options_.on_loop_start) {
    options_.on_loop_start();
  }
  for (;;) {
    try {
      if (loop.ioc.run_one() == 0) {
        break;  // stopped
      }
      for (int n = 1; n < kTurnHandlers && loop.ioc.poll_one() != 0; ++n) {
      }
      answer_reads(loop);
    } catch (const std::exception& e) {
      options_.log(std::string("http server: unexpected exception: ") + e.what());
    }
    end_turn(loop);
  }
  end_turn(loop);
  if (options_.on_loop_exit) {
    options_.on_loop_exit();
  }
}

void HttpServer::answer_reads(Loop& loop) {
  if (loop.reads.empty()) {
    return;
  }
  auto call = [](const std::function<void()>& hook) {
    if (hook) {
      hook();
    }
  };
  call(options_.before_read_batch);
  std::size_t answered = 0;
  try {
    for (; answered < loop.reads.size(); ++answered) {
      loop.reads[answered]->answer_read();
    }
  } catch (...) {
    // Only running out of memory gets here (a handler's exception is its 500): the requests left
    // are answered in the next turn's batch.
    loop.reads.erase(loop.reads.begin(),
                     loop.reads.begin() + static_cast<std::ptrdiff_t>(answered));
    call(options_.after_read_batch);
    throw;
  }
  loop.reads.clear();
  call(options_.after_read_batch);
}

// What the turn buffered is written first (on_loop_turn: the request log lines), then the turn's
// responses are sent, so that a client never reads a response whose log line is not written yet.
void HttpServer::end_turn(Loop& loop) {
  if (options_.on_loop_turn) {
    options_.on_loop_turn();
  }
  loop.sending.swap(loop.ready);
  for (const auto& session : loop.sending) {
    session->send();
  }
  loop.sending.clear();
}

void HttpServer::run() {
  std::vector<std::thread> others;
  others.reserve(impl_->loops.size() - 1);
  for (std::size_t i = 1; i < impl_->loops.size(); ++i) {
    others.emplace_back([this, i] { serve_loop(i); });
  }
  serve_loop(0);
  for (auto& t : others) {
    t.join();
  }
  if (impl_->writers) {
    impl_->writers->join();  // handlers still running after the grace finish; their answers drop
  }
  error_code ec;
  impl_->acceptor->close(ec);  // no thread runs the loops any more
}

void HttpServer::stop(std::chrono::milliseconds grace) {
  std::vector<std::shared_ptr<Session>> open;
  {
    std::lock_guard lock(sessions_mutex_);
    if (stopping_) {
      return;
    }
    stopping_ = true;
    open.reserve(sessions_.size());
    for (const auto& [raw, weak] : sessions_) {
      if (auto s = weak.lock()) {
        open.push_back(std::move(s));
      }
    }
  }
  net::post(impl_->loops.front()->ioc, [this] {
    error_code ec;
    impl_->acceptor->close(ec);
    impl_->accept_retry->cancel();
  });
  // Each session hears of the stop on its own loop's thread.
  for (auto& s : open) {
    auto executor = s->executor();
    net::post(executor, [s = std::move(s)] { s->on_server_stop(); });
  }
  open.clear();
  {
    std::unique_lock lock(sessions_mutex_);
    sessions_drained_.wait_for(lock, grace, [this] { return sessions_.empty(); });
  }
  for (auto& loop : impl_->loops) {
    loop->ioc.stop();
  }
}

std::size_t HttpServer::open_connections() const {
  std::lock_guard lock(sessions_mutex_);
  return sessions_.size();
}

}  // namespace tenantd::transport
