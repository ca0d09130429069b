#pragma once
// The API's own URLs, as _links and Location headers show them: every path is built here, under
// the one version prefix.
#include <string>
#include <string_view>

#include "core/json.hpp"

namespace tenantd::api {

inline constexpr std::string_view kVersionPrefix = "/v1.0";

std::string tenant_path(std::string_view tenant_id);            // /v1.0/tenants/{id}
std::string tenant_instances_path(std::string_view tenant_id);  // .../tenants/{id}/instances
std::string member_path(std::string_view tenant_id, std::string_view user_id);  // .../users/{uid}
std::string instance_path(std::string_view instance_id);         // /v1.0/instances/{id}
std::string instance_status_path(std::string_view instance_id);  // .../instances/{id}/status
std::string backup_path(std::string_view instance_id, std::string_view backup_id);
std::string operation_path(std::string_view operation_id);    // /v1.0/operations/{id}
std::string invitation_path(std::string_view invitation_id);  // /v1.0/invitations/{id}

// "name": {"href": href}, one member of a _links object.
void write_link(JsonWriter& out, std::string_view name, const std::string& href);

}  // namespace tenantd::api
