#pragma once
// A tenant's attributes as the API shows them (without _links). Kept apart from the stored
// item's writer (records/tenant_record.hpp), so that an API field can change without changing
// stored data, and the other way round.
#include "core/json.hpp"
#include "domain/tenant.hpp"

namespace tenantd::api::encoders {

void write_tenant_fields(JsonWriter& out, const domain::Tenant& tenant);

}  // namespace tenantd::api::encoders
