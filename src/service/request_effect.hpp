#pragma once
// At most one effect per Idempotency-Key, even when the first answer is lost (a crash after the
// commit, a 5xx after an applied write; docs/http-api.md, "Idempotency keys").
//
// While the API serves a POST with a key, it opens a Scope on its thread. The service method that
// applies the request's effect calls `record` on the ops of its transaction: a marker naming the
// resource it makes joins that transaction, so it commits with the effect or not at all. A retry
// that finds the marker runs the route again in a Scope whose `applied()` names that resource, and
// the service method answers with that resource instead of applying the effect a second time.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/item_store.hpp"

namespace tenantd::service::request_effect {

// Makes the marker item for the id of the resource made (its format: api/idempotency.cpp).
using MarkerFn = std::function<store::Item(std::string_view resource_id)>;

class Scope {
 public:
  // `applied`: the resource an earlier run of this request made, when this run replays it.
  Scope(MarkerFn marker, std::optional<std::string> applied);
  ~Scope();
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

  const MarkerFn& marker() const { return marker_; }
  const std::optional<std::string>& applied() const { return applied_; }

 private:
  MarkerFn marker_;
  std::optional<std::string> applied_;
  Scope* outer_;
};

// Adds the marker to `ops` when this thread serves a request with an Idempotency-Key.
void record(std::vector<store::WriteOp>& ops, std::string_view resource_id);

// The resource an earlier run of this request made, when this run replays it; else nullptr.
const std::string* applied();

}  // namespace tenantd::service::request_effect
