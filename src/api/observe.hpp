#pragma once
// After each request: one JSON log line and the request metrics (SPEC section 12).
#include <chrono>

#include "api/api.hpp"

namespace tenantd::api {

void observe(Api& api, const Call& call, const Response& response,
             std::chrono::steady_clock::duration elapsed);

}  // namespace tenantd::api
