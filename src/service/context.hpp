#pragma once
// What a use case knows about the request that asked for it.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "auth/principal.hpp"
#include "core/clock.hpp"
#include "store/item_store.hpp"

namespace tenantd::service {

struct Context {
  Principal principal;
  std::string request_id;
  TimePoint now;
  std::optional<std::int64_t> if_match;  // the If-Match version, when the caller sent one
};

// A page request: limit and where to continue (already verified by the API layer).
struct PageRequest {
  int limit = 20;
  std::optional<store::Cursor> after;
};

template <class T>
struct Page {
  std::vector<T> items;
  std::optional<store::Cursor> next;  // set when more items are available
};

// How the services keep the audit trail they write with every change.
struct ChangeLogOptions {
  std::chrono::seconds audit_retention{400 * 24 * 3600};
};

}  // namespace tenantd::service
