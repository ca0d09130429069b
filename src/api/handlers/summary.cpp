// GET /summary: counts over everything within the caller's reach, for the console's Overview.
// Tenants and instances are read through the same services as the list routes, so a member
// sees only their tenants; the outbox is the platform's, shown to platform staff only.
#include "api/handlers/summary.hpp"

#include <map>

#include "api/api.hpp"
#include "api/handlers/fail.hpp"
#include "api/responses.hpp"
#include "core/json.hpp"
#include "events/dispatcher.hpp"
#include "service/instance_service.hpp"

namespace tenantd::api::handlers {

namespace {

// Bounds on the work of one summary: beyond them the counts are partial and say so.
constexpr std::size_t kMaxTenants = 2000;
constexpr std::size_t kMaxOutboxCount = 1000;
constexpr int kPageSize = 100;
constexpr std::chrono::hours kRecentWindow{24};

struct Counts {
  std::map<std::string, std::int64_t> tenants_by_status;
  std::map<std::string, std::int64_t> instances_by_state;
  std::int64_t operations_running = 0;
  std::int64_t operations_failed_recently = 0;
  bool truncated = false;
};

void write_counts(JsonWriter& out, std::string_view name,
                  const std::map<std::string, std::int64_t>& counts) {
  out.key(name).begin_object();
  for (const auto& [key, n] : counts) {
    out.field(key, n);
  }
  out.end_object();
}

// Instances of one tenant; a tenant the caller may list but not look into (a SUSPENDED
// tenant's members get 403) adds nothing.
Status count_instances(Api& api, const Call& call, const std::string& tenant_id, Counts& counts) {
  service::PageRequest page;
  page.limit = kPageSize;
  while (true) {
    auto instances = api.deps().services.instances.list(call.ctx, tenant_id, std::nullopt, page);
    if (!instances) {
      const auto code = instances.error().code;
      if (code == ErrorCode::Forbidden || code == ErrorCode::TenantSuspended ||
          code == ErrorCode::TenantNotFound) {
        return {};
      }
      return std::move(instances).error();
    }
    for (const auto& instance : instances->items) {
      ++counts.instances_by_state[std::string(domain::to_string(instance.state))];
      if (instance.current_operation_id) {
        ++counts.operations_running;
      }
      // The instance keeps the error of its last failed operation until the next one starts.
      if (instance.last_error && !instance.current_operation_id &&
          instance.updated_at >= call.ctx.now - kRecentWindow) {
        ++counts.operations_failed_recently;
      }
    }
    if (!instances->next) {
      return {};
    }
    page.after = instances->next;
  }
}

Result<Counts> count(Api& api, const Call& call) {
  Counts counts;
  service::PageRequest page;
  page.limit = kPageSize;
  std::size_t seen = 0;
  while (true) {
    auto tenants = api.deps().services.tenants.list(call.ctx, {}, page);
    if (!tenants) {
      return std::move(tenants).error();
    }
    for (const auto& tenant : tenants->items) {
      ++counts.tenants_by_status[std::string(domain::to_string(tenant.status))];
      TENANTD_TRY(count_instances(api, call, tenant.tenant_id, counts));
    }
    seen += tenants->items.size();
    if (!tenants->next) {
      return counts;
    }
    if (seen >= kMaxTenants) {
      counts.truncated = true;
      return counts;
    }
    page.after = tenants->next;
  }
}

Response get_summary(Api& api, Call& call) {
  auto counts = count(api, call);
  if (!counts) {
    return fail(call, counts.error());
  }
  JsonWriter out;
  out.begin_object();
  write_counts(out, "tenantsByStatus", counts->tenants_by_status);
  write_counts(out, "instancesByState", counts->instances_by_state);
  out.key("operations")
      .begin_object()
      .field("running", counts->operations_running)
      .field("failedLast24h", counts->operations_failed_recently)
      .end_object();
  if (call.ctx.principal.platform_staff()) {
    std::int64_t pending = 0;
    std::int64_t parked = 0;
    for (auto [status, n] : {std::pair{"PENDING", &pending}, std::pair{"FAILED", &parked}}) {
      auto events = events::list_outbox(api.deps().store, status, kMaxOutboxCount);
      if (!events) {
        return fail(call, events.error());
      }
      *n = static_cast<std::int64_t>(events->size());
    }
    out.key("outbox").begin_object().field("pending", pending).field("parked", parked).end_object();
  }
  out.field("truncated", counts->truncated)
      .field("generatedAt", format_time(call.ctx.now))
      .end_object();
  Response r = json_response(200, out.str());
  r.set_header("Cache-Control", "no-store");
  return r;
}

}  // namespace

std::vector<Route> summary_routes() {
  return {{"GET", "/summary", get_summary}};
}

}  // namespace tenantd::api::handlers
