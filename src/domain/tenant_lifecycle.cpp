#include "domain/tenant_lifecycle.hpp"

namespace tenantd::domain {

bool action_needs_reason(TenantAction action) {
  return action == TenantAction::Park || action == TenantAction::Suspend;
}

Tenant after_action(const Tenant& before, TenantAction action, TenantStatus target, TimePoint now,
                    const std::string& actor, const std::optional<std::string>& reason) {
  Tenant after = before;
  after.status = target;
  switch (action) {
    case TenantAction::Park:
      after.parked_at = now;
      after.parked_by = actor;
      after.park_reason = reason;
      break;
    case TenantAction::Unpark:
      after.parked_at.reset();
      after.parked_by.reset();
      after.park_reason.reset();
      break;
    case TenantAction::Suspend:
      after.suspended_at = now;
      after.suspended_by = actor;
      after.suspend_reason = reason;
      break;
    case TenantAction::Resume:
      after.suspended_at.reset();
      after.suspended_by.reset();
      after.suspend_reason.reset();
      break;
    default:
      break;
  }
  return after;
}

}  // namespace tenantd::domain
