#pragma once
// EventBridge ECS events (docs/instances.md#progress-reports) mapped to the normalised progress
// report, ready for the Lambda adapter: `ECS Service Action`, `ECS Deployment State Change` and
// `ECS Task State Change`, matched to a tenant by the resource's `bbws:tenant-id` tag when its
// `bbws:environment` tag is ours. ECS events carry no tags themselves, so the caller supplies a
// lookup (the adapter asks ECS ListTagsForResource; tests use a map).
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/json.hpp"
#include "core/result.hpp"
#include "domain/progress_report.hpp"

namespace tenantd::service {

using EcsTags = std::map<std::string, std::string, std::less<>>;
// The tags of an ECS service or task by ARN; nullopt when the resource is unknown.
using EcsTagLookup = std::function<Result<std::optional<EcsTags>>(std::string_view arn)>;

struct EcsReport {
  std::string tenant_id;
  std::optional<std::string> instance_id;  // from a `bbws:instance-id` tag, when present
  domain::ProgressReport report;
};

// nullopt: not ours (another source or detail type, an event name that carries no progress, an
// untagged resource, another environment). Malformed JSON is a VALIDATION_ERROR.
Result<std::optional<EcsReport>> map_ecs_event(std::string_view event_json,
                                               std::string_view environment,
                                               const EcsTagLookup& tags);

// The report of a one-off backup / restore task from its ECS task object (the `detail` of an
// `ECS Task State Change` event, or a DescribeTasks entry) and its tags; nullopt until it has
// STOPPED. Exit code 0 in every container that reported one completes the operation. A backup's
// result is read from tags: `bbws:backup-location` (set by the driver at RunTask) and
// `bbws:backup-size-bytes` / `bbws:backup-checksum`, which the backup container sets on its own
// task (ecs:TagResource) before it exits 0; without them the backup FAILS
// (BACKUP_REPORT_MISSING), as nothing proves what was written.
std::optional<domain::ProgressReport> stopped_task_report(const JsonValue& task,
                                                          const EcsTags& tags);
Result<std::optional<domain::ProgressReport>> stopped_task_report(std::string_view task_json,
                                                                  const EcsTags& tags);

}  // namespace tenantd::service
