#include "api/observe.hpp"

#include "obs/logger.hpp"
#include "obs/metrics.hpp"

namespace tenantd::api {

namespace {
// The error code of an error response body ({"error":{"code":"..."}}), without
// parsing it all.
std::string_view error_code_of(const Response& response) {
  if (response.status < 400) {
    return {};
  }
  constexpr std::string_view kMarker = "\"code\":\"";
  const auto at = response.body.find(kMarker);
  if (at == std::string::npos) {
    return {};
  }
  const auto start = at + kMarker.size();
  const auto end = response.body.find('"', start);
  if (end == std::string::npos) {
    return {};
  }
  return std::string_view(response.body).substr(start, end - start);
}
}  // namespace

void observe(Api& api, const Call& call, const Response& response,
             std::chrono::steady_clock::duration elapsed, std::uint64_t store_round_trips) {
  const double ms = std::chrono::duration<double, std::milli>(elapsed).count();
  obs::RequestLog line;
  line.request_id = call.request.request_id;
  line.trace_id = call.request.trace_id;
  line.cold_start = call.request.cold_start;
  line.method = call.request.method;
  line.route = call.route;
  line.path = call.request.path;
  line.status = response.status;
  line.duration_ms = ms;
  line.tenant_id = call.tenant_id;
  line.principal = call.ctx.principal.actor();
  line.error_code = error_code_of(response);
  line.store_round_trips = store_round_trips;
  api.deps().logger.log_request(line);
  api.deps().metrics.observe_request(call.route, call.request.method, response.status, ms);
}

}  // namespace tenantd::api
