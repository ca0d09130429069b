#pragma once
// Every change writes an audit entry and an outbox event in the same transaction as the change
// itself (docs/tenants.md and docs/events.md). This builds those two writes.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/ids.hpp"
#include "service/context.hpp"
#include "store/item_store.hpp"

namespace tenantd::records {

struct Change {
  std::string event_type;  // TENANT_CREATED, TENANT_PARKED, ...
  std::string source;      // events::kTenantSource or kInstanceSource
  std::string tenant_id;
  std::string before_json;  // a JSON object, or empty when there is no "before"
  std::string after_json;   // a JSON object, or empty
  std::optional<std::string> reason;
  // Sealed detail members for the event only (see events::OutboxEvent::sealed_detail); never
  // in the audit entry.
  std::string sealed_detail = {};
  std::string instance_id = {};  // detail.instanceId of instance, operation and backup events
};

// A change of one instance: source bbws.instance-management, detail.instanceId set.
Change instance_change(std::string event_type, std::string tenant_id, std::string instance_id,
                       std::string before_json, std::string after_json);

// Appends the audit entry put and the outbox append for `change` to `ops`.
void record_change(std::vector<store::WriteOp>& ops, const service::Context& ctx, Ids& ids,
                   const service::ChangeLogOptions& options, const Change& change);

// The audit trail of a tenant, newest first; each entry is the stored JSON object.
Result<service::Page<std::string>> read_audit(store::ItemStore& store, std::string_view tenant_id,
                                              const service::PageRequest& page);

}  // namespace tenantd::records
