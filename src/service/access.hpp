#pragma once
// Tenant reach and roles for one request (docs/auth.md): out of reach is 404, in reach with too
// weak a role is 403, members of a SUSPENDED tenant get 403 TENANT_SUSPENDED.
#include <optional>
#include <string>
#include <string_view>

#include "domain/tenant.hpp"
#include "service/context.hpp"
#include "service/policy.hpp"
#include "store/item_store.hpp"

namespace tenantd::service {

// The principal's role in the tenant, from one indexed read; nullopt when not a member.
Result<std::optional<TenantRole>> membership_role(store::ItemStore& store,
                                                  std::string_view tenant_id,
                                                  std::string_view user_id);

// Checks `action` on a tenant already loaded.
Status authorize(store::ItemStore& store, const Context& ctx, const domain::Tenant& tenant,
                 Action action);

// Loads the tenant (404 TENANT_NOT_FOUND for malformed or unknown ids) and authorises `action`.
// Returns the tenant together with the item's version used for conditional writes.
Result<domain::Tenant> load_tenant_for(store::ItemStore& store, const Context& ctx,
                                       std::string_view tenant_id, Action action);

// Loads the tenant without authorising anything (for callers whose right comes from elsewhere,
// such as an invitation token); 404 TENANT_NOT_FOUND when it does not exist.
Result<domain::Tenant> load_tenant(store::ItemStore& store, std::string_view tenant_id);

Error tenant_not_found(std::string_view tenant_id);

}  // namespace tenantd::service
