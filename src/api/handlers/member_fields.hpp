#pragma once
// Body fields shared by the member and invitation routes (docs/members.md and docs/invitations.md):
// the e-mail, role and placement of a (future) member, checked as they are read.
#include <optional>
#include <string>

#include "api/body_reader.hpp"
#include "service/policy.hpp"

namespace tenantd::api::handlers {

// Trimmed and lower-cased, checked as an e-mail address.
std::optional<std::string> read_email(BodyReader& body, bool required);
std::optional<service::TenantRole> read_role(BodyReader& body, bool required);
// division / group / team: an optional node name.
std::optional<std::string> read_node(BodyReader& body, const char* field);

}  // namespace tenantd::api::handlers
