#include "lambda/runtime_api.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <charconv>
#include <chrono>
#include <exception>
#include <thread>

namespace tenantd::lambda {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

constexpr const char* kPrefix = "/2018-06-01/runtime";
constexpr int kNextAttempts = 5;

Error unreachable(const std::string& what) {
  return Error::make(ErrorCode::ServiceUnavailable, "Lambda Runtime API: " + what);
}

std::optional<TimePoint> deadline_of(std::string_view ms_text) {
  std::int64_t ms = 0;
  const auto [end, ec] = std::from_chars(ms_text.data(), ms_text.data() + ms_text.size(), ms);
  if (ec != std::errc() || end != ms_text.data() + ms_text.size()) {
    return std::nullopt;
  }
  return TimePoint(Millis(ms));
}

}  // namespace

struct RuntimeApi::Exchange {
  asio::io_context io;
  beast::tcp_stream stream{io};
  beast::flat_buffer buffer;
  bool open = false;
};

RuntimeApi::RuntimeApi(const std::string& host_port) {
  const auto colon = host_port.rfind(':');
  host_ = colon == std::string::npos ? host_port : host_port.substr(0, colon);
  port_ = colon == std::string::npos ? "80" : host_port.substr(colon + 1);
}

RuntimeApi::~RuntimeApi() = default;

Result<RuntimeApi::Reply> RuntimeApi::exchange(std::string_view method, const std::string& target,
                                               std::string_view body, std::string_view error_type) {
  // One reconnect: the runtime may have closed an idle keep-alive connection.
  for (int attempt = 0; attempt < 2; ++attempt) {
    try {
      if (!connection_ || !connection_->open) {
        connection_ = std::make_unique<Exchange>();
        asio::ip::tcp::resolver resolver(connection_->io);
        connection_->stream.connect(resolver.resolve(host_, port_));
        // Requests are small and strictly alternate with replies: never wait on Nagle.
        connection_->stream.socket().set_option(asio::ip::tcp::no_delay(true));
        connection_->open = true;
      }
      http::request<http::string_body> req(http::string_to_verb(method), target, 11);
      req.set(http::field::host, host_);
      req.keep_alive(true);
      if (!error_type.empty()) {
        req.set("Lambda-Runtime-Function-Error-Type", error_type);
      }
      if (!body.empty() || method == "POST") {
        req.set(http::field::content_type, "application/json");
        req.body() = std::string(body);
        req.prepare_payload();
      }
      http::write(connection_->stream, req);
      http::response<http::string_body> res;
      http::read(connection_->stream, connection_->buffer, res);
      if (!res.keep_alive()) {
        connection_->open = false;
      }
      Reply reply;
      reply.status = static_cast<int>(res.result_int());
      reply.body = std::move(res.body());
      reply.request_id = std::string(res["Lambda-Runtime-Aws-Request-Id"]);
      reply.trace_id = std::string(res["Lambda-Runtime-Trace-Id"]);
      reply.deadline_ms = std::string(res["Lambda-Runtime-Deadline-Ms"]);
      return reply;
    } catch (const std::exception& e) {
      connection_.reset();
      if (attempt == 1) {
        return unreachable(e.what());
      }
    }
  }
  return unreachable("no answer");
}

Result<NextInvocation> RuntimeApi::next() {
  auto reply = exchange("GET", std::string(kPrefix) + "/invocation/next", {});
  if (!reply) {
    return std::move(reply).error();
  }
  if (reply->status != 200 || reply->request_id.empty()) {
    return unreachable("next answered " + std::to_string(reply->status));
  }
  NextInvocation next;
  next.invocation.request_id = std::move(reply->request_id);
  next.invocation.trace_id = std::move(reply->trace_id);
  next.invocation.deadline = deadline_of(reply->deadline_ms);
  next.event = std::move(reply->body);
  return next;
}

Status RuntimeApi::respond(std::string_view request_id, std::string_view body) {
  auto reply = exchange(
      "POST", std::string(kPrefix) + "/invocation/" + std::string(request_id) + "/response", body);
  if (!reply) {
    return std::move(reply).error();
  }
  if (reply->status != 202) {
    return unreachable("response answered " + std::to_string(reply->status) + ": " + reply->body);
  }
  return {};
}

Status RuntimeApi::fail(std::string_view request_id, const Outcome& outcome) {
  auto reply =
      exchange("POST", std::string(kPrefix) + "/invocation/" + std::string(request_id) + "/error",
               error_document(outcome), outcome.error_type);
  if (!reply) {
    return std::move(reply).error();
  }
  if (reply->status != 202) {
    return unreachable("error answered " + std::to_string(reply->status));
  }
  return {};
}

Status RuntimeApi::init_error(std::string_view type, std::string_view message) {
  Outcome outcome;
  outcome.ok = false;
  outcome.error_type = std::string(type);
  outcome.error_message = std::string(message);
  auto reply =
      exchange("POST", std::string(kPrefix) + "/init/error", error_document(outcome), type);
  if (!reply) {
    return std::move(reply).error();
  }
  return {};
}

Status run_runtime_loop(RuntimeClient& api, LambdaHandler& handler) {
  int failures = 0;
  for (;;) {
    auto next = api.next();
    if (!next) {
      if (++failures >= kNextAttempts) {
        return std::move(next).error();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50 << failures));
      continue;
    }
    failures = 0;
    Outcome outcome;
    try {
      outcome = handler.handle(next->event, next->invocation);
    } catch (const std::exception& e) {
      outcome.ok = false;
      outcome.error_type = "HandlerFailed";
      outcome.error_message = e.what();
    }
    const Status posted = outcome.ok ? api.respond(next->invocation.request_id, outcome.body)
                                     : api.fail(next->invocation.request_id, outcome);
    (void)posted;  // a lost post times the invocation out on the Lambda side; serve the next one
    // The caller has its answer; what is left of the invocation runs before the next `next`.
    try {
      handler.finish(next->invocation);
    } catch (const std::exception&) {
      // The flush logs its own failures; whatever escapes it must not end the runtime.
    }
  }
}

}  // namespace tenantd::lambda
