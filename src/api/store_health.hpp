#pragma once
// What /health says of the store: readable (a ping) and writable (a probe item rewritten on each
// check). A full disk, a read-only data dir or corrupt pages fail the write while reads may still
// work: that is "degraded", not "ok". See docs/decisions/0019-names-unicode-and-health.md.
#include <string>

#include "core/clock.hpp"
#include "store/item_store.hpp"

namespace tenantd::api {

struct StoreCondition {
  bool readable = true;
  bool writable = true;
  std::string problem;  // for the log, never for the response body
};

StoreCondition check_store(store::ItemStore& store, TimePoint now);

// The probe item: one fixed key in the Control table, outside every entity's key space, so that
// it is overwritten in place and never read by anything else.
store::Put health_probe_put(TimePoint now);

}  // namespace tenantd::api
