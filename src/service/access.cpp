#include "service/access.hpp"

#include "core/ids.hpp"
#include "core/json.hpp"
#include "records/membership_record.hpp"
#include "records/tenant_record.hpp"

namespace tenantd::service {

Error tenant_not_found(std::string_view tenant_id) {
  return Error::make(ErrorCode::TenantNotFound, "Tenant " + std::string(tenant_id) + " not found");
}

namespace {

Result<std::optional<TenantRole>> role_of(const std::optional<store::Item>& membership) {
  if (!membership) {
    return std::optional<TenantRole>{};
  }
  const auto doc = parse_json(membership->data);
  if (!doc || !doc->IsObject()) {
    return Error::make(ErrorCode::InternalError, "stored membership is unreadable");
  }
  const auto role = doc->FindMember("role");
  if (role == doc->MemberEnd() || !role->value.IsString()) {
    return Error::make(ErrorCode::InternalError, "stored membership has no role");
  }
  return parse_tenant_role(as_view(role->value));
}

// The decision of docs/auth.md once the tenant and the principal's role in it are known.
Status decide(const Context& ctx, const domain::Tenant& tenant,
              const std::optional<TenantRole>& role, Action action) {
  if (platform_allows(ctx.principal, action)) {
    return {};
  }
  if (!role && !ctx.principal.platform_staff()) {
    return tenant_not_found(tenant.tenant_id);  // no existence leak
  }
  if (role && tenant.status == domain::TenantStatus::Suspended) {
    return Error::make(ErrorCode::TenantSuspended, "The tenant is suspended");
  }
  if (role && tenant_role_allows(*role, action)) {
    return {};
  }
  return Error::make(ErrorCode::Forbidden, "Your role does not allow this action");
}

}  // namespace

Result<std::optional<TenantRole>> membership_role(store::ItemStore& store,
                                                  std::string_view tenant_id,
                                                  std::string_view user_id) {
  if (user_id.empty()) {
    return std::optional<TenantRole>{};
  }
  auto item = store.get(store::Table::Tenants, records::membership_key(tenant_id, user_id));
  if (!item) {
    return std::move(item).error();
  }
  return role_of(*item);
}

Status authorize(store::ItemStore& store, const Context& ctx, const domain::Tenant& tenant,
                 Action action) {
  if (platform_allows(ctx.principal, action)) {
    return {};
  }
  auto role = membership_role(store, tenant.tenant_id, ctx.principal.sub);
  if (!role) {
    return std::move(role).error();
  }
  return decide(ctx, tenant, *role, action);
}

Result<domain::Tenant> load_tenant_for(store::ItemStore& store, const Context& ctx,
                                       std::string_view tenant_id, Action action) {
  if (!is_id(tenant_id, "tenant")) {
    return tenant_not_found(tenant_id);
  }
  // Platform roles decide alone; anyone else needs the membership too, read with the tenant in
  // one round trip.
  const bool needs_role = !platform_allows(ctx.principal, action) && !ctx.principal.sub.empty();
  std::vector<store::Key> keys{records::tenant_key(tenant_id)};
  if (needs_role) {
    keys.push_back(records::membership_key(tenant_id, ctx.principal.sub));
  }
  auto items = store.get_many(store::Table::Tenants, keys);
  if (!items) {
    return std::move(items).error();
  }
  if (!(*items)[0]) {
    return tenant_not_found(tenant_id);
  }
  auto tenant = records::tenant_from_item(*(*items)[0]);
  if (!tenant) {
    return tenant;
  }
  std::optional<TenantRole> role;
  if (needs_role) {
    auto resolved = role_of((*items)[1]);
    if (!resolved) {
      return std::move(resolved).error();
    }
    role = *resolved;
  }
  TENANTD_TRY(decide(ctx, *tenant, role, action));
  return tenant;
}

Result<domain::Tenant> load_tenant(store::ItemStore& store, std::string_view tenant_id) {
  if (!is_id(tenant_id, "tenant")) {
    return tenant_not_found(tenant_id);
  }
  auto item = store.get(store::Table::Tenants, records::tenant_key(tenant_id));
  if (!item) {
    return std::move(item).error();
  }
  if (!item->has_value()) {
    return tenant_not_found(tenant_id);
  }
  return records::tenant_from_item(**item);
}

}  // namespace tenantd::service
