#include "api/api.hpp"

#include <chrono>

#include "api/idempotency.hpp"
#include "api/observe.hpp"
#include "api/rate_limiter.hpp"
#include "api/responses.hpp"
#include "core/ids.hpp"
#include "core/round_trips.hpp"
#include "service/request_effect.hpp"

namespace tenantd::api {

namespace {

bool carries_body(std::string_view method) {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

bool is_json_type(const std::string* content_type) {
  if (content_type == nullptr) {
    return false;
  }
  std::string_view v = *content_type;
  const auto semi = v.find(';');
  v = v.substr(0, semi);
  while (!v.empty() && v.back() == ' ') {
    v.remove_suffix(1);
  }
  return iequals(v, "application/json");
}

}  // namespace

Api::Api(ApiDeps deps, ApiOptions options)
    : deps_(std::move(deps)),
      options_(std::move(options)),
      router_(route_table()),
      idempotency_(std::make_unique<Idempotency>(deps_.store, deps_.clock)),
      started_at_(deps_.clock.now()) {}

Api::~Api() = default;

Response Api::handle(Request& request) {
  const auto started = std::chrono::steady_clock::now();
  const std::uint64_t round_trips_before = round_trips::on_this_thread;
  const TimePoint now = deps_.clock.now();
  if (request.request_id.empty()) {
    const std::string* given = request.header("X-Request-Id");
    // A correlation id, not a stored one: it costs no system call (core/ids.hpp).
    request.request_id =
        (given != nullptr && is_sane_request_id(*given)) ? *given : correlation_uuid();
  }
  Call call{request, service::Context{{}, request.request_id, now, std::nullopt}, {}, {}, {}, {}};
  call.query = QueryParams::parse(request.query);

  const RouteMatch match = router_.match(request.method, request.path);
  Response response = dispatch(request, call, match);

  response.set_header("X-Request-Id", request.request_id);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  observe(*this, call, response, elapsed, round_trips::on_this_thread - round_trips_before);
  return response;
}

Response Api::dispatch(Request& request, Call& call, const RouteMatch& match) {
  const TimePoint now = call.ctx.now;
  auto fail = [&](const Error& error) { return error_response(error, request.request_id, now); };

  if (match.route == nullptr) {
    if (!match.allowed.empty()) {
      call.route = "(method not allowed)";
      std::string allow;
      for (const auto m : match.allowed) {
        allow += allow.empty() ? "" : ", ";
        allow += m;
      }
      Response r = fail(Error::make(ErrorCode::MethodNotAllowed,
                                    request.method + " is not allowed here; use " + allow));
      r.set_header("Allow", allow);
      return r;
    }
    call.route = "(unknown)";
    return fail(Error::make(ErrorCode::NotFound, "No route for " + request.path));
  }
  call.route = match.route->pattern;
  call.params = match.params;

  if (match.route->authenticated) {
    auto principal = deps_.authenticate(request, now);
    if (!principal) {
      return fail(principal.error());
    }
    call.ctx.principal = std::move(*principal);

    const auto decision = deps_.rate_limiter.acquire(call.ctx.principal.sub);
    if (!decision.allowed) {
      Response r = fail(Error::make(ErrorCode::RateLimited, "Too many requests; slow down"));
      r.set_header("Retry-After", std::to_string(decision.retry_after_seconds));
      r.set_header("X-RateLimit-Limit", std::to_string(static_cast<std::int64_t>(decision.limit)));
      r.set_header("X-RateLimit-Remaining", "0");
      return r;
    }
  }

  if (request.body.size() > options_.max_body_bytes) {
    return fail(Error::make(ErrorCode::PayloadTooLarge, "The request body exceeds 64 KiB"));
  }
  if (carries_body(request.method) && !request.body.empty() &&
      !is_json_type(request.header("Content-Type"))) {
    return fail(
        Error::make(ErrorCode::UnsupportedMediaType, "Request bodies must be application/json"));
  }
  auto if_match = parse_if_match(request.header("If-Match"));
  if (!if_match) {
    return fail(if_match.error());
  }
  call.ctx.if_match = *if_match;

  const std::string* key = request.header("Idempotency-Key");
  if (request.method != "POST" || key == nullptr || !match.route->authenticated) {
    return match.route->handler(*this, call);
  }
  if (!Idempotency::valid_key(*key)) {
    return fail(Error::validation({{"Idempotency-Key", "INVALID_FORMAT",
                                    "Idempotency-Key must be 1..255 printable characters"}}));
  }
  const std::string fingerprint = Idempotency::fingerprint(request);
  auto claimed = idempotency_->begin(call.ctx.principal.sub, *key, fingerprint);
  if (!claimed) {
    return fail(claimed.error());
  }
  if (claimed->kept) {
    return std::move(*claimed->kept);
  }
  const std::string& sub = call.ctx.principal.sub;
  Response response;
  {
    const service::request_effect::Scope effect(
        [&](std::string_view resource_id) {
          return idempotency_->applied_marker(sub, *key, fingerprint, resource_id);
        },
        claimed->applied);
    response = match.route->handler(*this, call);
  }
  if (claimed->applied) {
    response.set_header("Idempotent-Replayed", "true");
  }
  idempotency_->finish(sub, *key, fingerprint, response);
  return response;
}

}  // namespace tenantd::api
