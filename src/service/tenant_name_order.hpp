#pragma once
// Tenants in organizationName order (docs/decisions/0017-*.md): one item per tenant in the
// Tenants table, PK=TENANTS#BYNAME SK=<lower-case name>#<tenantId>, kept by a tenant change hook
// in the same transaction as the tenant, so that GET /tenants?sortBy=organizationName pages
// through the table's own sort key (keyset, no scan). Separate from any name-uniqueness guard:
// this item orders names, it never refuses one.
#include <string>
#include <string_view>

#include "service/tenant_service.hpp"
#include "store/item_store.hpp"

namespace tenantd::service {

inline constexpr std::string_view kTenantsByNamePk = "TENANTS#BYNAME";

store::Key name_order_key(std::string_view organization_name, std::string_view tenant_id);
// The tenant id an ordering item points at.
std::string tenant_of_name_order_item(const store::Item& item);
// The original API's organizationName search: whether a word of `name` (a word starts the name
// or follows a character that is not an ASCII letter or digit) starts with `term`, both compared
// in lower case. The whole-name prefix is the first word's case.
bool word_prefix_match(std::string_view name, std::string_view term);
// Writes the ordering item on create and moves it on rename.
TenantChangeHook name_order_hook();
// Writes the ordering item of every tenant that has none (tenants created before the order
// existed); run by `tenantd migrate` and when the embedded SQLite store opens. Each write is
// checked against the tenant's version, so a concurrent rename (whose hook writes the item) wins.
// A marker in the Control table makes later runs one read. Returns the number of items written.
Result<int> backfill_name_order(store::ItemStore& store);

}  // namespace tenantd::service
