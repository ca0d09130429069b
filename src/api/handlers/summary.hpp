#pragma once
// GET /summary: the console's Overview in one read (docs/openapi.yaml, docs/console.md).
#include <vector>

#include "api/router.hpp"

namespace tenantd::api::handlers {

std::vector<Route> summary_routes();

}  // namespace tenantd::api::handlers
