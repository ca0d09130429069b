// Open and operational routes: health, metrics, the OpenAPI document.
#include "api/handlers/fail.hpp"
#include "api/handlers/handlers.hpp"
#include "api/openapi_document.hpp"
#include "api/responses.hpp"
#include "api/store_health.hpp"
#include "core/build_info.hpp"
#include "core/json.hpp"
#include "obs/logger.hpp"
#include "obs/metrics.hpp"

namespace tenantd::api::handlers {

Response health(Api& api, Call& call) {
  const StoreCondition store = check_store(api.deps().store, call.ctx.now);
  const auto uptime =
      std::chrono::duration_cast<std::chrono::seconds>(call.ctx.now - api.started_at());
  // unhealthy: the store cannot be read; degraded: it reads but cannot write (full disk,
  // read-only data dir, corrupt pages). Both are 503, so that a load balancer stops sending.
  const char* status = !store.readable ? "unhealthy" : !store.writable ? "degraded" : "healthy";
  const char* storage = !store.readable ? "unavailable" : !store.writable ? "read-only" : "ok";
  JsonWriter out;
  out.begin_object()
      .field("status", status)
      .field("version", build_info::kVersion)
      .field("commit", build_info::kCommit)
      .field("environment", api.options().environment)
      .field("storage", storage)
      .field("uptimeSeconds", static_cast<std::int64_t>(uptime.count()));
  if (!store.writable) {
    out.field("failedCheck", store.readable ? "storage-write" : "storage");
    api.deps().logger.error("health check failed",
                            {{"status", status}, {"problem", store.problem}});
  }
  out.end_object();
  Response r = json_response(store.writable ? 200 : 503, out.str());
  r.set_header("Cache-Control", "no-store");
  return r;
}

Response metrics(Api& api, Call& call) {
  if (!call.ctx.principal.platform_staff()) {
    return fail(call, Error::make(ErrorCode::Forbidden, "Metrics are for platform staff"));
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
