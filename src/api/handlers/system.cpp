// Open and operational routes: health, metrics, the OpenAPI document.
#include "api/handlers/handlers.hpp"
#include "api/openapi_document.hpp"
#include "api/responses.hpp"
#include "core/json.hpp"
#include "obs/metrics.hpp"

namespace tenantd::api::handlers {

Response health(Api& api, Call& call) {
  const auto ping = api.deps().store.ping();
  const auto uptime =
      std::chrono::duration_cast<std::chrono::seconds>(call.ctx.now - api.started_at());
  JsonWriter out;
  out.begin_object()
      .field("status", ping.ok() ? "healthy" : "unhealthy")
      .field("version", TENANTD_VERSION)
      .field("commit", TENANTD_COMMIT)
      .field("environment", api.options().environment)
      .field("storage", ping.ok() ? "ok" : "unavailable")
      .field("uptimeSeconds", static_cast<std::int64_t>(uptime.count()));
  if (!ping.ok()) {
    out.field("failedCheck", "storage");
  }
  out.end_object();
  Response r = json_response(ping.ok() ? 200 : 503, out.str());
  r.set_header("Cache-Control", "no-store");
  return r;
}

Response metrics(Api& api, Call& call) {
  if (!call.ctx.principal.platform_staff()) {
    return error_response(Error::make(ErrorCode::Forbidden, "Metrics are for platform staff"),
                          call.request.request_id, call.ctx.now);
  }
  Response r;
  r.status = 200;
  r.headers.push_back({"Content-Type", "text/plain; version=0.0.4"});
  r.body = api.deps().metrics.render_prometheus();
  return r;
}

Response openapi(Api& /*api*/, Call& /*call*/) {
  return json_response(200, std::string(openapi_json()));
}

}  // namespace tenantd::api::handlers
