#include "service/ecs_events.hpp"

#include "core/json.hpp"

namespace tenantd::service {

namespace {

using domain::InstanceState;
using domain::ProgressReport;
using domain::ReportType;

std::string_view string_at(const JsonValue& obj, const char* name) {
  if (!obj.IsObject()) {
    return {};
  }
  const auto it = obj.FindMember(name);
  return it != obj.MemberEnd() && it->value.IsString() ? as_view(it->value) : std::string_view{};
}

ProgressReport state_report(InstanceState state) {
  ProgressReport r;
  r.type = ReportType::StateChanged;
  r.state = state;
  return r;
}

ProgressReport failure(InstanceState state, std::string_view code, std::string_view message) {
  ProgressReport r = state_report(state);
  r.error = domain::ErrorInfo{std::string(code), std::string(message), std::nullopt};
  return r;
}

// ECS names deployment events SERVICE_DEPLOYMENT_*; docs/instances.md#progress-reports writes
// DEPLOYMENT_*. Both map.
std::string_view without_service_prefix(std::string_view name) {
  constexpr std::string_view kPrefix = "SERVICE_";
  if (name.substr(0, kPrefix.size()) == kPrefix && name.find("DEPLOYMENT_") == kPrefix.size()) {
    name.remove_prefix(kPrefix.size());
  }
  return name;
}

std::optional<ProgressReport> service_report(std::string_view event_name, std::string_view reason) {
  const std::string_view name = without_service_prefix(event_name);
  if (name == "SERVICE_STEADY_STATE" || name == "DEPLOYMENT_COMPLETED") {
    return state_report(InstanceState::Active);  // SUSPENDED when the desired count is 0
  }
  if (name == "DEPLOYMENT_IN_PROGRESS") {
    return state_report(InstanceState::Provisioning);
  }
  if (name == "DEPLOYMENT_FAILED" || name == "SERVICE_TASK_START_IMPAIRED") {
    return failure(InstanceState::Failed, name, reason.empty() ? name : reason);
  }
  if (name == "SERVICE_DELETED") {
    return state_report(InstanceState::Deprovisioned);
  }
  return std::nullopt;  // SERVICE_TASK_PLACEMENT_FAILURE, capacity notices, ...
}

std::optional<std::int64_t> size_from(std::string_view text) {
  if (text.empty() || text.size() > 18) {
    return std::nullopt;
  }
  std::int64_t n = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    n = n * 10 + (c - '0');
  }
  return n;
}

std::string_view tag(const EcsTags& tags, std::string_view key) {
  const auto it = tags.find(key);
  return it == tags.end() ? std::string_view{} : std::string_view(it->second);
}

ProgressReport task_failure(std::string code, std::string message) {
  ProgressReport r;
  r.type = ReportType::OperationFailed;
  r.error = domain::ErrorInfo{std::move(code), std::move(message), false};
  return r;
}

}  // namespace

std::optional<ProgressReport> stopped_task_report(const JsonValue& task, const EcsTags& tags) {
  if (string_at(task, "lastStatus") != "STOPPED") {
    return std::nullopt;
  }
  bool ok = true;
  bool any_exit = false;
  std::string failed_container;
  if (const auto it = task.FindMember("containers");
      it != task.MemberEnd() && it->value.IsArray()) {
    for (const auto& c : it->value.GetArray()) {
      const auto code = c.IsObject() ? c.FindMember("exitCode") : c.MemberEnd();
      if (!c.IsObject() || code == c.MemberEnd() || !code->value.IsInt()) {
        continue;
      }
      any_exit = true;
      if (code->value.GetInt() != 0) {
        ok = false;
        failed_container = std::string(string_at(c, "name")) + " exited with code " +
                           std::to_string(code->value.GetInt());
      }
    }
  }
  if (!ok || !any_exit) {
    std::string message(string_at(task, "stoppedReason"));
    if (!failed_container.empty()) {
      message += (message.empty() ? "" : "; ") + failed_container;
    }
    // A failed backup or restore may well succeed when asked again (a lost spot, a timeout).
    ProgressReport r = task_failure("TASK_FAILED", message.empty() ? "the task stopped" : message);
    r.error->retryable = true;
    return r;
  }
  ProgressReport r;
  r.type = ReportType::OperationCompleted;
  if (tag(tags, "bbws:operation-type") == "BACKUP") {
    // The backup container tags its own task with what it wrote before it exits 0.
    const auto size = size_from(tag(tags, "bbws:backup-size-bytes"));
    const auto checksum = tag(tags, "bbws:backup-checksum");
    const auto location = tag(tags, "bbws:backup-location");
    if (!size || checksum.empty() || location.empty()) {
      return task_failure("BACKUP_REPORT_MISSING",
                          "the backup task exited 0 without tagging itself with "
                          "bbws:backup-size-bytes, bbws:backup-checksum and bbws:backup-location");
    }
    r.backup = domain::BackupResult{*size, std::string(location), std::string(checksum)};
  }
  return r;
}

Result<std::optional<ProgressReport>> stopped_task_report(std::string_view task_json,
                                                          const EcsTags& tags) {
  const auto doc = parse_json(task_json);
  if (!doc || !doc->IsObject()) {
    return Error::make(ErrorCode::ValidationError, "the ECS task is not a JSON object");
  }
  return stopped_task_report(*doc, tags);
}

namespace {

// Only STOPPED task events carry progress; the report itself needs the task's tags.
std::optional<ProgressReport> task_placeholder(const JsonValue& detail) {
  if (string_at(detail, "lastStatus") != "STOPPED") {
    return std::nullopt;
  }
  return ProgressReport{};
}

}  // namespace

Result<std::optional<EcsReport>> map_ecs_event(std::string_view event_json,
                                               std::string_view environment,
                                               const EcsTagLookup& tags) {
  const auto doc = parse_json(event_json);
  if (!doc || !doc->IsObject()) {
    return Error::make(ErrorCode::ValidationError, "the ECS event is not a JSON object");
  }
  if (string_at(*doc, "source") != "aws.ecs") {
    return std::optional<EcsReport>{};
  }
  const auto detail_it = doc->FindMember("detail");
  if (detail_it == doc->MemberEnd() || !detail_it->value.IsObject()) {
    return Error::make(ErrorCode::ValidationError, "the ECS event has no detail object");
  }
  const JsonValue& detail = detail_it->value;
  const std::string_view type = string_at(*doc, "detail-type");
  std::optional<ProgressReport> report;
  std::string arn;
  if (type == "ECS Service Action" || type == "ECS Deployment State Change") {
    report = service_report(string_at(detail, "eventName"), string_at(detail, "reason"));
    // The service is the event's resource.
    if (const auto it = doc->FindMember("resources"); it != doc->MemberEnd() &&
                                                      it->value.IsArray() && !it->value.Empty() &&
                                                      it->value[0].IsString()) {
      arn = std::string(as_view(it->value[0]));
    }
  } else if (type == "ECS Task State Change") {
    report = task_placeholder(detail);
    arn = std::string(string_at(detail, "taskArn"));
  }
  if (!report || arn.empty()) {
    return std::optional<EcsReport>{};
  }
  auto found = tags(arn);
  if (!found) {
    return std::move(found).error();
  }
  if (!found->has_value()) {
    return std::optional<EcsReport>{};
  }
  const EcsTags& t = **found;
  const auto env = t.find("bbws:environment");
  const auto tenant = t.find("bbws:tenant-id");
  if (env == t.end() || env->second != environment || tenant == t.end() || tenant->second.empty()) {
    return std::optional<EcsReport>{};
  }
  EcsReport out;
  out.tenant_id = tenant->second;
  if (const auto inst = t.find("bbws:instance-id"); inst != t.end()) {
    out.instance_id = inst->second;
  }
  if (const auto op = t.find("bbws:operation-id"); op != t.end()) {
    report->operation_id = op->second;
  }
  if (type == "ECS Task State Change") {
    if (!report->operation_id) {
      return std::optional<EcsReport>{};  // a service task, not one of our one-off tasks
    }
    auto stopped = stopped_task_report(detail, t);
    stopped->operation_id = report->operation_id;
    report = std::move(stopped);
  }
  out.report = std::move(*report);
  return std::optional<EcsReport>(std::move(out));
}

}  // namespace tenantd::service
