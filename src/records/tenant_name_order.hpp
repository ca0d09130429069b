#pragma once
// Tenants in organizationName order (docs/decisions/0017-*.md): one item per tenant in the
// Tenants table, PK=TENANTS#BYNAME SK=<lower-case name>#<tenantId>, written in the same
// transaction as the tenant, so that GET /tenants?sortBy=organizationName pages through the
// table's own sort key (keyset, no scan). Separate from any name-uniqueness guard: this item
// orders names, it never refuses one.
#include <string>
#include <string_view>
#include <vector>

#include "domain/tenant.hpp"
#include "store/item_store.hpp"

namespace tenantd::records {

inline constexpr std::string_view kTenantsByNamePk = "TENANTS#BYNAME";

store::Key name_order_key(std::string_view organization_name, std::string_view tenant_id);
// The tenant id an ordering item points at.
std::string tenant_of_name_order_item(const store::Item& item);
// The writes that keep the ordering item of `after` (`before` is null on create): a put, plus
// the delete of the old item on rename; nothing when the sort key did not change.
std::vector<store::WriteOp> name_order_writes(const domain::Tenant* before,
                                              const domain::Tenant& after);

}  // namespace tenantd::records
