#pragma once
// After each request: one JSON log line and the request metrics (docs/operations.md#observability).
#include <chrono>
#include <cstdint>

#include "api/api.hpp"

namespace tenantd::api {

// `store_round_trips`: the DynamoDB requests the call made (core/round_trips.hpp).
void observe(Api& api, const Call& call, const Response& response,
             std::chrono::steady_clock::duration elapsed, std::uint64_t store_round_trips);

}  // namespace tenantd::api
