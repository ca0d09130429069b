#pragma once
// Round trips to a remote store made by the calling thread. The DynamoDB store counts each
// request it sends; the API reads the count before and after a request and logs the difference
// (storeRoundTrips), so that the functional tests can hold every route to its budget
// (docs/performance.md#dynamodb-round-trips-per-route). A request is served on one thread.
#include <cstdint>

namespace tenantd::round_trips {

inline thread_local std::uint64_t on_this_thread = 0;

inline void count() {
  ++on_this_thread;
}

}  // namespace tenantd::round_trips
