#include "api/encoders/membership_fields.hpp"

namespace tenantd::api::encoders {

void write_membership_fields(JsonWriter& out, const service::Membership& m) {
  out.field("tenantId", m.tenant_id)
      .field("userId", m.user_id)
      .field("email", m.email)
      .field("role", service::to_string(m.role))
      .field("division", m.division)
      .field("group", m.group)
      .field("team", m.team)
      .field("assignedAt", format_time(m.assigned_at))
      .field("assignedBy", m.assigned_by)
      .field("version", m.version);
}

}  // namespace tenantd::api::encoders
