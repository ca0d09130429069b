#pragma once
// Tenants as store items (docs/storage.md: PK=TENANT#{id}, SK=METADATA, attributes named as in
// the API) and the secondary-index keys that make every tenant list a key-ordered query.
#include <string>

#include "core/json.hpp"
#include "domain/tenant.hpp"
#include "store/item_store.hpp"

namespace tenantd::records {

// GSI use on the tenants table (see docs/storage.md).
inline constexpr int kTenantsAllIndex = 1;          // "TENANTS" / createdAt#id
inline constexpr int kTenantsByStatusIndex = 2;     // "TENANTS#STATUS#<s>" / createdAt#id
inline constexpr int kTenantsByEnvIndex = 3;        // "TENANTS#ENV#<e>" / createdAt#id
inline constexpr int kTenantsByStatusEnvIndex = 4;  // "TENANTS#STATUS_ENV#<s>#<e>" / createdAt#id
// Name prefixes: the first 1, 2 and 3 characters of the lower-cased name each key an index, so a
// prefix filter stays newest first; longer prefixes read the 3-character bucket and filter.
inline constexpr int kTenantsByName1Index = 5;  // "TENANTS#NAME1#<c>" / createdAt#id
inline constexpr int kNameBuckets = 3;          // GSI5..GSI7

std::string tenant_pk(std::string_view tenant_id);  // "TENANT#<id>"
store::Key tenant_key(std::string_view tenant_id);
// The uniqueness guard of an organisation name (case-insensitive).
store::Key org_name_key(std::string_view organization_name);
store::Item org_name_item(const domain::Tenant& tenant);
// The first `chars` characters (UTF-8 code points) of `text`; shorter text is returned whole.
std::string_view leading_chars(std::string_view text, std::size_t chars);
// The index key of name bucket `chars` (1..kNameBuckets) for a lower-cased name or prefix.
std::string name_bucket_pk(std::string_view lower_name, std::size_t chars);
// Sort key that orders tenants by creation time.
std::string created_sort_key(const domain::Tenant& tenant);

// Every stored attribute of the tenant (API names; the API encodes its own, api/encoders); also
// the before/after objects of audit entries and events.
void write_tenant_attributes(JsonWriter& out, const domain::Tenant& tenant);
store::Item tenant_item(const domain::Tenant& tenant);
Result<domain::Tenant> tenant_from_item(const store::Item& item);
Result<domain::Tenant> tenant_from_json(const JsonValue& value);

void write_metadata(JsonWriter& out, const domain::Metadata& metadata);

}  // namespace tenantd::records
