#pragma once
// Instance, operation and backup routes (docs/instances.md).
#include <vector>

#include "api/router.hpp"

namespace tenantd::api::handlers {

std::vector<Route> instance_routes();

}  // namespace tenantd::api::handlers
