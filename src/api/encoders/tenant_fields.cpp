#include "api/encoders/tenant_fields.hpp"

#include <variant>

#include "api/encoders/common_fields.hpp"

namespace tenantd::api::encoders {

namespace {
void write_metadata(JsonWriter& out, const domain::Metadata& metadata) {
  out.begin_object();
  for (const auto& [key, value] : metadata) {
    out.key(key);
    std::visit([&out](const auto& v) { out.value(v); }, value);
  }
  out.end_object();
}
}  // namespace

void write_tenant_fields(JsonWriter& out, const domain::Tenant& t) {
  out.field("tenantId", t.tenant_id)
      .field("organizationName", t.organization_name)
      .field("contactEmail", t.contact_email)
      .field("environment", domain::to_string(t.environment))
      .field("status", domain::to_string(t.status))
      .field("division", t.division)
      .field("group", t.group)
      .field("team", t.team);
  if (!t.metadata.empty()) {
    out.key("metadata");
    write_metadata(out, t.metadata);
  }
  out.field("createdAt", format_time(t.created_at))
      .field("createdBy", t.created_by)
      .field("updatedAt", format_time(t.updated_at))
      .field("updatedBy", t.updated_by);
  write_optional_time(out, "parkedAt", t.parked_at);
  out.field("parkedBy", t.parked_by).field("parkReason", t.park_reason);
  write_optional_time(out, "suspendedAt", t.suspended_at);
  out.field("suspendedBy", t.suspended_by).field("suspendReason", t.suspend_reason);
  write_optional_time(out, "deprovisionedAt", t.deprovisioned_at);
  out.field("deprovisionedBy", t.deprovisioned_by)
      .field("memberCount", t.member_count)
      .field("instanceCount", t.instance_count)
      .field("version", t.version);
}

}  // namespace tenantd::api::encoders
