#pragma once
// Instance, operation and backup routes (SPEC section 8).
#include <vector>

#include "api/router.hpp"

namespace tenantd::api::handlers {

std::vector<Route> instance_routes();

}  // namespace tenantd::api::handlers
