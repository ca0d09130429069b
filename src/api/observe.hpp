#pragma once
// After each request: one JSON log line and the request metrics (docs/operations.md#observability).
#include <chrono>

#include "api/api.hpp"

namespace tenantd::api {

void observe(Api& api, const Call& call, const Response& response,
             std::chrono::steady_clock::duration elapsed);

}  // namespace tenantd::api
