#pragma once
// A membership as the API shows it. Kept apart from the stored item's writer
// (records/membership_record.hpp).
#include "core/json.hpp"
#include "service/member_service.hpp"

namespace tenantd::api::encoders {

void write_membership_fields(JsonWriter& out, const service::Membership& membership);

}  // namespace tenantd::api::encoders
