#pragma once
// Instances, operations and backups as store items (docs/storage.md and docs/storage.md).
// Instance: bbws-instances PK=TENANT#{tenantId}, SK=INSTANCE#{instanceId} (the seed's keys);
// instance index: PK=INSTANCE#{instanceId}, SK=TENANT (resolves flat /instances/{id} routes);
// operation: PK=OPERATION#{operationId}, SK=METADATA, indexed while it runs;
// backup: PK=TENANT#{tenantId}, SK=BACKUP#{instanceId}#{backupId}.
#include <string>
#include <string_view>

#include "core/json.hpp"
#include "core/result.hpp"
#include "domain/instance.hpp"
#include "store/item_store.hpp"

namespace tenantd::records {

// GSI1 of the instances table lists running operations, oldest change first, for drivers that
// walk them (the simulated provisioner): "OPERATIONS#RUNNING" / <13-digit updatedAt ms>#<opId>.
inline constexpr int kRunningOperationsIndex = 1;
inline constexpr const char* kRunningOperationsPk = "OPERATIONS#RUNNING";

store::Key instance_key(std::string_view tenant_id, std::string_view instance_id);
store::Key instance_index_key(std::string_view instance_id);
store::Key operation_key(std::string_view operation_id);
store::Key backup_key(std::string_view tenant_id, std::string_view instance_id,
                      std::string_view backup_id);
std::string backup_prefix(std::string_view instance_id);  // "BACKUP#<instanceId>#"
inline constexpr const char* kInstancePrefix = "INSTANCE#";

// The stored attributes (named as in the API; the API encodes its own, api/encoders), also the
// before/after objects of audit entries and events; `internal` adds the bookkeeping fields that
// only the store keeps (running operation, state before it, backup count).
void write_instance_attributes(JsonWriter& out, const domain::Instance& instance, bool internal);
void write_operation_attributes(JsonWriter& out, const domain::Operation& operation);
void write_backup_attributes(JsonWriter& out, const domain::Backup& backup);

store::Item instance_item(const domain::Instance& instance);
store::Item instance_index_item(const domain::Instance& instance);
store::Item operation_item(const domain::Operation& operation);
store::Item backup_item(const domain::Backup& backup);

Result<domain::Instance> instance_from_item(const store::Item& item);
Result<domain::Operation> operation_from_item(const store::Item& item);
Result<domain::Backup> backup_from_item(const store::Item& item);
// The tenant id an index item points at.
Result<std::string> tenant_of_index(const store::Item& item);

// {"instanceId", "state", ...} objects for audit entries and events.
std::string instance_json(const domain::Instance& instance);
std::string operation_json(const domain::Operation& operation);

}  // namespace tenantd::records
