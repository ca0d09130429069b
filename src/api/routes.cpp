// The route table: every route of the API in one place (served at / and under /v1.0).
#include "api/handlers/handlers.hpp"
#include "api/handlers/hierarchy.hpp"
#include "api/handlers/instances.hpp"
#include "api/handlers/invitations.hpp"
#include "api/handlers/members.hpp"
#include "api/handlers/summary.hpp"

namespace tenantd::api {

namespace {
[[maybe_unused]] void append(std::vector<Route>& routes, std::vector<Route> more) {
  routes.insert(routes.end(), more.begin(), more.end());
}
}  // namespace

std::vector<Route> route_table() {
  using namespace handlers;  // NOLINT(google-build-using-namespace): the table reads best so
  std::vector<Route> routes = {
      {"GET", "/health", health, false},
      {"GET", "/openapi.json", openapi, false},
      {"GET", "/metrics", metrics},

      {"POST", "/tenants", create_tenant},
      {"GET", "/tenants", list_tenants},
      {"GET", "/tenants/{tenantId}", get_tenant},
      {"PUT", "/tenants/{tenantId}", update_tenant},
      {"DELETE", "/tenants/{tenantId}", delete_tenant},
      {"POST", "/tenants/{tenantId}/park", park_tenant},
      {"POST", "/tenants/{tenantId}/unpark", unpark_tenant},
      {"POST", "/tenants/{tenantId}/suspend", suspend_tenant},
      {"POST", "/tenants/{tenantId}/resume", resume_tenant},
      {"POST", "/tenants/{tenantId}/lifecycle/park", park_tenant},
      {"POST", "/tenants/{tenantId}/lifecycle/unpark", unpark_tenant},
      {"POST", "/tenants/{tenantId}/lifecycle/suspend", suspend_tenant},
      {"POST", "/tenants/{tenantId}/lifecycle/resume", resume_tenant},
      {"PATCH", "/tenants/{tenantId}/status", patch_tenant_status},
      {"GET", "/tenants/{tenantId}/audit", tenant_audit},
  };
  // Each further capability keeps its table beside its handlers (api/handlers/<capability>.cpp).
  append(routes, member_routes());
  append(routes, hierarchy_routes());
  append(routes, invitation_routes());
  append(routes, instance_routes());
  append(routes, summary_routes());
  return routes;
}

}  // namespace tenantd::api
