#pragma once
// What a tenant lifecycle action records on the tenant beyond its new status: park and suspend
// stamp when, by whom and why; unpark and resume clear those stamps.
#include <optional>
#include <string>

#include "core/clock.hpp"
#include "domain/tenant.hpp"

namespace tenantd::domain {

// Park and suspend must say why.
bool action_needs_reason(TenantAction action);

// `before` after `action` moved it to `target` (see tenant_transition) at `now`, by `actor`.
Tenant after_action(const Tenant& before, TenantAction action, TenantStatus target, TimePoint now,
                    const std::string& actor, const std::optional<std::string>& reason);

}  // namespace tenantd::domain
