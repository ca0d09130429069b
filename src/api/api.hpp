#pragma once
// The API application: one Request in, one Response out, whatever door it came through.
// Cross-cutting steps (request id, auth, rate limit, body rules, idempotency, logging, metrics)
// happen here once; handlers in api/handlers/ are thin adapters onto the services.
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "api/query_params.hpp"
#include "api/router.hpp"
#include "auth/authenticator.hpp"
#include "auth/principal.hpp"
#include "core/clock.hpp"
#include "core/http_message.hpp"
#include "service/context.hpp"
#include "service/tenant_service.hpp"
#include "store/item_store.hpp"

namespace tenantd::obs {
class Logger;
class MetricsRegistry;
}  // namespace tenantd::obs

namespace tenantd::service {
class HierarchyService;
class InvitationService;
class MemberService;
class InstanceService;
}  // namespace tenantd::service

namespace tenantd::api {

class PageTokens;
class RateLimiter;
class Idempotency;

// The use cases the handlers call; each capability adds its service here and sets it in
// app/wiring.cpp. Every configuration builds all of them, so handlers need no null checks.
struct Services {
  service::TenantService& tenants;
  service::HierarchyService& hierarchy;
  service::MemberService& members;
  service::InvitationService& invitations;
  service::InstanceService& instances;
};

struct ApiDeps {
  store::ItemStore& store;
  const Clock& clock;
  auth::Authenticator authenticate;  // the principal of a request to an authenticated route
  const PageTokens& page_tokens;
  RateLimiter& rate_limiter;
  obs::Logger& logger;
  obs::MetricsRegistry& metrics;
  Services services;
};

struct ApiOptions {
  std::string environment = "dev";
  std::size_t max_body_bytes = std::size_t{64} * 1024;
};

// One request in flight, as handlers see it.
struct Call {
  Request& request;
  service::Context ctx;
  std::vector<std::string_view> params;
  QueryParams query;
  std::string_view route;  // the matched pattern, for logs and metrics
  std::string tenant_id;   // set by handlers that act on a tenant, for logs
  std::string_view param(std::size_t i) const { return i < params.size() ? params[i] : ""; }
};

class Api final : public RequestHandler {
 public:
  Api(ApiDeps deps, ApiOptions options);
  ~Api() override;

  Response handle(Request& request) override;

  ApiDeps& deps() { return deps_; }
  const ApiOptions& options() const { return options_; }
  TimePoint started_at() const { return started_at_; }

 private:
  Response dispatch(Request& request, Call& call, const RouteMatch& match);

  ApiDeps deps_;
  ApiOptions options_;
  Router router_;
  std::unique_ptr<Idempotency> idempotency_;
  TimePoint started_at_;
};

// The route table (api/routes.cpp).
std::vector<Route> route_table();

}  // namespace tenantd::api
