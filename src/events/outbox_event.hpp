#pragma once
// An event as kept in the transactional outbox (docs/events.md). The envelope is the
// EventBridge shape; `detail` is the change itself, already serialised.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "store/item_store.hpp"

namespace tenantd::events {

inline constexpr const char* kTenantSource = "bbws.tenant-management";
inline constexpr const char* kInstanceSource = "bbws.instance-management";

struct OutboxEvent {
  std::string event_id;     // evt-<uuid>
  std::string source;       // kTenantSource or kInstanceSource
  std::string detail_type;  // TENANT_CREATED, ...
  TimePoint time;
  std::string tenant_id;    // for sink attributes (SNS eventType/tenantId)
  std::string detail_json;  // {"eventId","tenantId","actor","requestId","occurredAt",...change}
  // Members of `detail` that must not be readable in the store (an invitation's accept URL):
  // a sealed JSON fragment `"name":value,...` that the dispatcher opens just before delivery.
  std::string sealed_detail;
  // Dispatch state.
  std::int64_t attempts = 0;
  std::string status = "PENDING";  // PENDING | FAILED
  TimePoint next_attempt_at;
  std::string last_error;
  // Sinks (by name) that already accepted the event, so that a retry after a partial failure
  // goes only to the sinks that have not.
  std::vector<std::string> delivered_to;
  // Bumped by every claim and reschedule, so that dispatchers sharing a store (replicas) take an
  // event only with a conditional write on it; -1: an item stored before events had a version.
  std::int64_t version = 0;
};

// The envelope that sinks deliver:
// {"version":"0","id","source","detail-type","time","region","resources":[],"detail":{...}}
std::string envelope_json(const OutboxEvent& event, const std::string& region);

// The event as sinks must see it: `sealed_detail` opened with `key` and merged into `detail`.
// nullopt when it cannot be opened (another key, altered text).
std::optional<OutboxEvent> opened_for_delivery(const OutboxEvent& event, std::string_view key);

// The store write that appends `event` to the outbox; put it in the same
// transaction as the change it describes.
store::WriteOp outbox_append(const OutboxEvent& event);

// Item <-> event, for the dispatcher and `tenantd outbox`.
store::Item outbox_item(const OutboxEvent& event);
OutboxEvent outbox_event_from(const store::Item& item);

}  // namespace tenantd::events
