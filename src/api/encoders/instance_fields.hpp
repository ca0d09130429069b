#pragma once
// Instances, operations and backups as the API shows them (without _links). Kept apart from
// the stored items' writers (records/instance_record.hpp): the store also keeps bookkeeping
// fields the API never shows (running operation, state before it, backup count).
#include "core/json.hpp"
#include "domain/instance.hpp"

namespace tenantd::api::encoders {

void write_instance_fields(JsonWriter& out, const domain::Instance& instance);
void write_operation_fields(JsonWriter& out, const domain::Operation& operation);
void write_backup_fields(JsonWriter& out, const domain::Backup& backup);

}  // namespace tenantd::api::encoders
