#include "service/access.hpp"

#include "core/ids.hpp"
#include "core/json.hpp"
#include "service/tenant_record.hpp"

namespace tenantd::service {

store::Key membership_key(std::string_view tenant_id, std::string_view user_id) {
  return {tenant_pk(tenant_id), "USER#" + std::string(user_id)};
}

Error tenant_not_found(std::string_view tenant_id) {
  return Error::make(ErrorCode::TenantNotFound, "Tenant " + std::string(tenant_id) + " not found");
}

Result<std::optional<TenantRole>> membership_role(store::ItemStore& store,
                                                  std::string_view tenant_id,
                                                  std::string_view user_id) {
  if (user_id.empty()) {
    return std::optional<TenantRole>{};
  }
  auto item = store.get(store::Table::Tenants, membership_key(tenant_id, user_id));
  if (!item) {
    return std::move(item).error();
  }
  if (!item->has_value()) {
    return std::optional<TenantRole>{};
  }
  const auto doc = parse_json((*item)->data);
  if (!doc || !doc->IsObject()) {
    return Error::make(ErrorCode::InternalError, "stored membership is unreadable");
  }
  const auto role = doc->FindMember("role");
  if (role == doc->MemberEnd() || !role->value.IsString()) {
    return Error::make(ErrorCode::InternalError, "stored membership has no role");
  }
  return parse_tenant_role(as_view(role->value));
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
  if (!role->has_value() && !ctx.principal.platform_staff()) {
    return tenant_not_found(tenant.tenant_id);  // no existence leak
  }
  if (role->has_value() && tenant.status == domain::TenantStatus::Suspended) {
    return Error::make(ErrorCode::TenantSuspended, "The tenant is suspended");
  }
  if (role->has_value() && tenant_role_allows(**role, action)) {
    return {};
  }
  return Error::make(ErrorCode::Forbidden, "Your role does not allow this action");
}

Result<domain::Tenant> load_tenant_for(store::ItemStore& store, const Context& ctx,
                                       std::string_view tenant_id, Action action) {
  if (!is_id(tenant_id, "tenant")) {
    return tenant_not_found(tenant_id);
  }
  auto item = store.get(store::Table::Tenants, tenant_key(tenant_id));
  if (!item) {
    return std::move(item).error();
  }
  if (!item->has_value()) {
    return tenant_not_found(tenant_id);
  }
  auto tenant = tenant_from_item(**item);
  if (!tenant) {
    return tenant;
  }
  if (auto allowed = authorize(store, ctx, *tenant, action); !allowed) {
    return std::move(allowed).error();
  }
  return tenant;
}

}  // namespace tenantd::service
