#include "api/encoders/invitation_fields.hpp"

#include <optional>
#include <string>

namespace tenantd::api::encoders {

namespace {
// The time in API format, or absent (written as the field's null).
std::optional<std::string> time_text(const std::optional<TimePoint>& t) {
  return t ? std::optional<std::string>(format_time(*t)) : std::nullopt;
}
}  // namespace

void write_invitation_fields(JsonWriter& out, const domain::Invitation& inv,
                             domain::InvitationStatus status) {
  out.field("invitationId", inv.invitation_id)
      .field("tenantId", inv.tenant_id)
      .field("email", inv.email)
      .field("role", inv.role)
      .field("division", inv.division)
      .field("group", inv.group)
      .field("team", inv.team)
      .field("message", inv.message)
      .field("status", domain::to_string(status))
      .field("expiresAt", format_time(inv.expires_at))
      .field("createdAt", format_time(inv.created_at))
      .field("createdBy", inv.created_by)
      .field("resendCount", inv.resend_count)
      .field("lastSentAt", format_time(inv.last_sent_at))
      .field("acceptedAt", time_text(inv.accepted_at))
      .field("acceptedBy", inv.accepted_by)
      .field("declinedAt", time_text(inv.declined_at))
      .field("cancelledAt", time_text(inv.cancelled_at))
      .field("cancelledBy", inv.cancelled_by)
      .field("version", inv.version);
}

}  // namespace tenantd::api::encoders
