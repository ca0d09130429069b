#pragma once
// Optimistic concurrency in the services: a use case reads, decides and writes one conditional
// transaction; when a concurrent change made the condition fail, it runs again on fresh reads.
#include <optional>
#include <thread>
#include <utility>

#include "core/result.hpp"

namespace tenantd::service {

// One attempt of such a use case: the settled result (a value or an error), or nullopt when the
// write lost a race and the attempt should run again.
template <class T>
using Attempt = Result<std::optional<T>>;

// Runs `attempt()` until it settles, at most `attempts` times; then returns `exhausted()`.
// Before each retry it yields, so the writer that won the race can finish.
template <class T, class AttemptFn, class ExhaustedFn>
Result<T> retry_on_conflict(int attempts, AttemptFn&& attempt, ExhaustedFn&& exhausted) {
  for (int i = 0; i < attempts; ++i) {
    if (i > 0) {
      std::this_thread::yield();
    }
    TENANTD_TRY_ASSIGN(std::optional<T> settled, attempt());
    if (settled) {
      return std::move(*settled);
    }
  }
  return exhausted();
}

}  // namespace tenantd::service
