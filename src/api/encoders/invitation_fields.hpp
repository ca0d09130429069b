#pragma once
// An invitation as the API shows it (never the token hash), with `status` as the reader sees it.
// Kept apart from the stored item's writer (records/invitation_record.hpp).
#include "core/json.hpp"
#include "domain/invitation.hpp"

namespace tenantd::api::encoders {

void write_invitation_fields(JsonWriter& out, const domain::Invitation& invitation,
                             domain::InvitationStatus status);

}  // namespace tenantd::api::encoders
