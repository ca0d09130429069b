#pragma once
// The organizationName order and search of tenant lists: the tenant change hook that keeps the
// ordering item (records/tenant_name_order.hpp) in the tenant's transaction, and the original
// API's word-prefix search.
#include <string_view>

#include "service/tenant_service.hpp"

namespace tenantd::service {

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
