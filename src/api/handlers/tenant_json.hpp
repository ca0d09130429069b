#pragma once
// Tenants on the wire: request decoding (types and values, every problem at once) and
// response encoding with _links that offer only the currently allowed transitions.
#include <string>

#include "api/body_reader.hpp"
#include "core/json.hpp"
#include "domain/tenant.hpp"
#include "service/tenant_service.hpp"

namespace tenantd::api {

Result<service::CreateTenantInput> decode_create_tenant(std::string_view body);
Result<service::UpdateTenantInput> decode_update_tenant(std::string_view body);

void write_tenant_links(JsonWriter& out, const domain::Tenant& tenant);
// The full tenant object; `message`/`warning` are added for lifecycle responses, and
// `unparked` adds the original API's unparkedAt/unparkedBy (the change that unparked it).
std::string tenant_json(const domain::Tenant& tenant, std::string_view message = {},
                        std::string_view warning = {}, bool unparked = false);
// List items carry the whole tenant, as the original API's did.
void write_tenant_summary(JsonWriter& out, const domain::Tenant& tenant);

}  // namespace tenantd::api
