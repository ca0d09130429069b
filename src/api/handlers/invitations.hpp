#pragma once
// Invitation routes (docs/invitations.md): invite, list, read, cancel, resend, accept, decline.
#include <vector>

#include "api/api.hpp"
#include "api/router.hpp"

namespace tenantd::api::handlers {

std::vector<Route> invitation_routes();

}  // namespace tenantd::api::handlers
