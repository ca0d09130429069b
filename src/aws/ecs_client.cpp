#include "aws/ecs_client.hpp"

#include "core/json.hpp"

namespace tenantd::aws {

namespace {

std::string_view str_at(const JsonValue& obj, const char* name) {
  if (!obj.IsObject()) {
    return {};
  }
  const auto it = obj.FindMember(name);
  return it != obj.MemberEnd() && it->value.IsString() ? as_view(it->value) : std::string_view{};
}

int int_at(const JsonValue& obj, const char* name) {
  const auto it = obj.FindMember(name);
  return it != obj.MemberEnd() && it->value.IsInt() ? it->value.GetInt() : 0;
}

const JsonValue* array_at(const JsonValue& obj, const char* name) {
  if (!obj.IsObject()) {
    return nullptr;
  }
  const auto it = obj.FindMember(name);
  return it != obj.MemberEnd() && it->value.IsArray() ? &it->value : nullptr;
}

Error unreadable(std::string_view operation) {
  return coded_failure("ECS_UNAVAILABLE", "ECS " + std::string(operation) + ": unreadable answer",
                       true);
}

EcsService service_from(const JsonValue& s) {
  EcsService out;
  out.arn = std::string(str_at(s, "serviceArn"));
  out.status = std::string(str_at(s, "status"));
  out.desired_count = int_at(s, "desiredCount");
  out.running_count = int_at(s, "runningCount");
  out.pending_count = int_at(s, "pendingCount");
  if (const JsonValue* deployments = array_at(s, "deployments")) {
    for (const auto& d : deployments->GetArray()) {
      if (str_at(d, "status") == "PRIMARY") {
        out.rollout_state = std::string(str_at(d, "rolloutState"));
      }
    }
  }
  return out;
}

EcsTask task_from(const JsonValue& t) {
  EcsTask out;
  out.arn = std::string(str_at(t, "taskArn"));
  out.last_status = std::string(str_at(t, "lastStatus"));
  JsonWriter w;
  w.value(t);
  out.json = w.str();
  if (const JsonValue* tags = array_at(t, "tags")) {
    for (const auto& tag : tags->GetArray()) {
      if (!str_at(tag, "key").empty()) {
        out.tags.emplace_back(str_at(tag, "key"), str_at(tag, "value"));
      }
    }
  }
  return out;
}

void write_pairs(JsonWriter& w, const std::vector<std::pair<std::string, std::string>>& pairs,
                 const char* key_name, const char* value_name) {
  w.begin_array();
  for (const auto& [k, v] : pairs) {
    w.begin_object().field(key_name, k).field(value_name, v).end_object();
  }
  w.end_array();
}

void write_strings(JsonWriter& w, const std::vector<std::string>& values) {
  w.begin_array();
  for (const auto& v : values) {
    w.value(v);
  }
  w.end_array();
}

}  // namespace

Error ecs_error(std::string_view operation, const AwsResponse& response) {
  const std::string& type = response.error_type;
  std::string message = "ECS " + std::string(operation) + ": " + type;
  if (!response.error_message.empty()) {
    message += ": " + response.error_message;
  }
  if (response.attempts > 1) {
    message += " (after " + std::to_string(response.attempts) + " attempts)";
  }
  if (is_retryable(response)) {
    const bool throttled = response.status < 500;
    return coded_failure(throttled ? "ECS_THROTTLED" : "ECS_UNAVAILABLE", std::move(message), true);
  }
  if (type == "ServiceNotFoundException" || type == "ServiceNotActiveException") {
    return coded_failure("ECS_SERVICE_NOT_FOUND", std::move(message), false);
  }
  if (type == "ClusterNotFoundException") {
    return coded_failure("ECS_CLUSTER_NOT_FOUND", std::move(message), false);
  }
  if (type.find("AccessDenied") != std::string::npos ||
      type.find("UnrecognizedClient") != std::string::npos ||
      type.find("Signature") != std::string::npos) {
    return coded_failure("ECS_ACCESS_DENIED", std::move(message), false);
  }
  return coded_failure("ECS_CLIENT_ERROR", std::move(message), false);
}

Result<std::unique_ptr<EcsClient>> EcsClient::open(const EnvLookup& env) {
  TENANTD_TRY_ASSIGN(
      auto client,
      open_json_client(env, {"ECS", "ecs", "AmazonEC2ContainerServiceV20141113", "1.1"}));
  return std::make_unique<EcsClient>(std::move(client));
}

EcsClient::EcsClient(std::unique_ptr<AwsJsonClient> client) : client_(std::move(client)) {}

Result<std::string> EcsClient::call(std::string_view operation, std::string_view body) {
  auto response = client_->call(operation, body);
  if (!response) {
    // No answer at all: credentials or the network, after the client's retries.
    const bool transient = response.error().code == ErrorCode::ServiceUnavailable;
    return coded_failure(transient ? "ECS_UNAVAILABLE" : "ECS_CLIENT_ERROR",
                         "ECS " + std::string(operation) + ": " + response.error().message,
                         transient);
  }
  if (!response->ok()) {
    return ecs_error(operation, *response);
  }
  return std::move(response->body);
}

Result<std::optional<EcsService>> EcsClient::describe_service(const std::string& cluster,
                                                              const std::string& service) {
  JsonWriter body;
  body.begin_object().field("cluster", cluster).key("services").begin_array().value(service);
  body.end_array().end_object();
  TENANTD_TRY_ASSIGN(const std::string answer, call("DescribeServices", body.str()));
  const auto doc = parse_json(answer);
  if (!doc || !doc->IsObject()) {
    return unreadable("DescribeServices");
  }
  if (const JsonValue* services = array_at(*doc, "services")) {
    for (const auto& s : services->GetArray()) {
      EcsService found = service_from(s);
      if (found.status != "INACTIVE") {
        return std::optional<EcsService>(std::move(found));
      }
    }
  }
  return std::optional<EcsService>{};  // listed under failures (MISSING) or INACTIVE
}

Result<EcsService> EcsClient::update_service(const std::string& cluster, const std::string& service,
                                             int desired_count) {
  JsonWriter body;
  body.begin_object()
      .field("cluster", cluster)
      .field("service", service)
      .field("desiredCount", desired_count)
      .end_object();
  TENANTD_TRY_ASSIGN(const std::string answer, call("UpdateService", body.str()));
  const auto doc = parse_json(answer);
  if (!doc || !doc->IsObject() || !(*doc).HasMember("service")) {
    return unreadable("UpdateService");
  }
  return service_from((*doc)["service"]);
}

Result<EcsTask> EcsClient::run_task(const RunTaskInput& input) {
  JsonWriter body;
  body.begin_object()
      .field("cluster", input.cluster)
      .field("taskDefinition", input.task_definition)
      .field("count", 1)
      .field("launchType", input.launch_type)
      .field("startedBy", input.started_by)
      .field("enableECSManagedTags", true);
  if (!input.subnets.empty()) {
    body.key("networkConfiguration").begin_object().key("awsvpcConfiguration").begin_object();
    body.key("subnets");
    write_strings(body, input.subnets);
    if (!input.security_groups.empty()) {
      body.key("securityGroups");
      write_strings(body, input.security_groups);
    }
    body.end_object().end_object();
  }
  body.key("overrides").begin_object().key("containerOverrides").begin_array();
  body.begin_object().field("name", input.container).key("environment");
  write_pairs(body, input.environment, "name", "value");
  body.end_object().end_array().end_object();
  body.key("tags");
  write_pairs(body, input.tags, "key", "value");
  body.end_object();
  TENANTD_TRY_ASSIGN(const std::string answer, call("RunTask", body.str()));
  const auto doc = parse_json(answer);
  if (!doc || !doc->IsObject()) {
    return unreadable("RunTask");
  }
  const JsonValue* tasks = array_at(*doc, "tasks");
  if (tasks != nullptr && !tasks->Empty()) {
    return task_from((*tasks)[0]);
  }
  // No task placed: ECS says why under failures (RESOURCE:MEMORY, AGENT, ...); capacity may free
  // up, so a later attempt may succeed.
  std::string reason = "no task was started";
  if (const JsonValue* failures = array_at(*doc, "failures"); failures && !failures->Empty()) {
    reason = std::string(str_at((*failures)[0], "reason"));
    if (const auto detail = str_at((*failures)[0], "detail"); !detail.empty()) {
      reason += ": " + std::string(detail);
    }
  }
  return coded_failure("ECS_TASK_NOT_STARTED", "ECS RunTask: " + reason, true);
}

Result<std::vector<std::string>> EcsClient::list_tasks(const std::string& cluster,
                                                       const std::string& started_by,
                                                       const std::string& desired_status) {
  JsonWriter body;
  body.begin_object()
      .field("cluster", cluster)
      .field("startedBy", started_by)
      .field("desiredStatus", desired_status)
      .end_object();
  TENANTD_TRY_ASSIGN(const std::string answer, call("ListTasks", body.str()));
  const auto doc = parse_json(answer);
  if (!doc || !doc->IsObject()) {
    return unreadable("ListTasks");
  }
  std::vector<std::string> arns;
  if (const JsonValue* list = array_at(*doc, "taskArns")) {
    for (const auto& a : list->GetArray()) {
      if (a.IsString()) {
        arns.emplace_back(as_view(a));
      }
    }
  }
  return arns;
}

Result<std::vector<EcsTask>> EcsClient::describe_tasks(const std::string& cluster,
                                                       const std::vector<std::string>& arns) {
  JsonWriter body;
  body.begin_object().field("cluster", cluster).key("tasks");
  write_strings(body, arns);
  body.key("include").begin_array().value("TAGS").end_array().end_object();
  TENANTD_TRY_ASSIGN(const std::string answer, call("DescribeTasks", body.str()));
  const auto doc = parse_json(answer);
  if (!doc || !doc->IsObject()) {
    return unreadable("DescribeTasks");
  }
  std::vector<EcsTask> out;
  if (const JsonValue* tasks = array_at(*doc, "tasks")) {
    for (const auto& t : tasks->GetArray()) {
      out.push_back(task_from(t));
    }
  }
  return out;
}

}  // namespace tenantd::aws
