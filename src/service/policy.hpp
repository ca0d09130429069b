#pragma once
// The authorisation policy of docs/auth.md, as one table.
#include <optional>
#include <string_view>

#include "auth/principal.hpp"

namespace tenantd::service {

enum class Action {
  CreateTenant,
  ReadTenant,
  UpdateTenant,     // update tenant, hierarchy, metadata
  TenantLifecycle,  // park / unpark / suspend / resume / delete / activate
  ManageMembers,    // assign / remove / change members, invitations
  ReadMembers,      // list members, read hierarchy, audit
  ReadInvitations,  // list / get invitations (who manages them, and platform staff)
  ProvisionInstance,
  OperateInstance,  // scale / suspend / resume instance, backup / restore
  ReadInstance,     // instances, operations, backups
};

enum class TenantRole { Viewer, Operator, Admin };
std::string_view to_string(TenantRole role);
std::optional<TenantRole> parse_tenant_role(std::string_view text);

// Who may do what: platform roles decide alone; otherwise the membership role of the tenant.
bool platform_allows(const Principal& principal, Action action);
bool tenant_role_allows(TenantRole role, Action action);

}  // namespace tenantd::service
