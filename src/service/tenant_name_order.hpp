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

}  // namespace tenantd::service
