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

// ECS names deployment events SERVICE_DEPLOYMENT_*; the SPEC writes DEPLOYMENT_*. Both map.
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

// A stopped one-off task (backup / restore) ends its operation: exit code 0 in every container
// that reported one is success.
std::optional<ProgressReport> task_report(const JsonValue& detail) {
  if (string_at(detail, "lastStatus") != "STOPPED") {
    return std::nullopt;
  }
  bool ok = true;
  bool any_exit = false;
  std::string failed_container;
  if (const auto it = detail.FindMember("containers");
      it != detail.MemberEnd() && it->value.IsArray()) {
    for (const auto& c : it->value.GetArray()) {
      const auto code = c.IsObject() ? c.FindMember("exitCode") : c.MemberEnd();
      if (!c.IsObject() || code == c.MemberEnd() || !code->value.IsInt()) {
        continue;
      }
      any_exit = true;
      if (code->value.GetInt() != 0) {
        ok = false;
        failed_container = std::string(string_at(c, "name"));
      }
    }
  }
  ProgressReport r;
  if (ok && any_exit) {
    r.type = ReportType::OperationCompleted;
    return r;
  }
  r.type = ReportType::OperationFailed;
  std::string message(string_at(detail, "stoppedReason"));
  if (!failed_container.empty()) {
    message += " (container " + failed_container + ")";
  }
  r.error = domain::ErrorInfo{"TASK_FAILED", message.empty() ? "the task stopped" : message,
                              std::nullopt};
  return r;
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
    report = task_report(detail);
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
  if (type == "ECS Task State Change" && !report->operation_id) {
    return std::optional<EcsReport>{};  // a service task, not one of our one-off tasks
  }
  out.report = std::move(*report);
  return std::optional<EcsReport>(std::move(out));
}

}  // namespace tenantd::service
