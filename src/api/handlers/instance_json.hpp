#pragma once
// Instance, operation and backup bodies (docs/instances.md): request decoding and response
// encoding for api/handlers/instances.cpp.
#include <optional>
#include <string>
#include <string_view>

#include "core/json.hpp"
#include "core/result.hpp"
#include "domain/instance.hpp"
#include "domain/progress_report.hpp"
#include "service/instance_service.hpp"

namespace tenantd::api {

Result<service::CreateInstanceInput> decode_create_instance(std::string_view body);
Result<service::UpdateInstanceInput> decode_update_instance(std::string_view body);
Result<std::int64_t> decode_size(std::string_view body);
Result<service::BackupInput> decode_backup(std::string_view body);
Result<std::string> decode_restore(std::string_view body);
// {"action": "stop" | "start"}: true for stop.
Result<bool> decode_status_action(std::string_view body);
// The optional {"archiveData": bool, "reason": string} of DELETE.
Status decode_delete(std::string_view body);
// Bodies that take no fields (suspend, resume): empty or {}.
Status decode_empty(std::string_view body);
// Suspend: empty, {} or the plan's {"reason": string}.
Status decode_suspend(std::string_view body);
Result<domain::ProgressReport> decode_report(std::string_view body);

std::string instance_detail_json(const domain::Instance& instance);
void write_instance_summary(JsonWriter& out, const domain::Instance& instance);
std::string operation_detail_json(const domain::Operation& operation);
void write_backup(JsonWriter& out, const domain::Backup& backup);
std::string status_json(const service::InstanceStatus& status);

}  // namespace tenantd::api
