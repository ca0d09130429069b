#pragma once
// The normalised progress report of docs/instances.md#progress-reports: what a provisioner
// (in-process driver, external worker, or an ECS event mapped by service/ecs_events) says about an
// instance. Pure: no I/O, no JSON.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/instance.hpp"

namespace tenantd::domain {

enum class ReportType {
  StateChanged,        // the instance reached `state`
  OperationCompleted,  // the running operation (operationId, when given) finished
  OperationFailed,     // the running operation failed with `error`
};
std::string_view to_string(ReportType type);  // "STATE_CHANGED", ...
std::optional<ReportType> parse_report_type(std::string_view text);

struct BackupResult {
  std::int64_t size_bytes = 0;
  std::string location;
  std::string checksum;
};

struct ProgressReport {
  ReportType type = ReportType::StateChanged;
  std::optional<InstanceState> state;
  std::optional<std::string> operation_id;
  std::optional<BackupResult> backup;
  std::optional<ErrorInfo> error;
};

}  // namespace tenantd::domain
