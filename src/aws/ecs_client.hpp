#pragma once
// The ECS calls of the `ecs` provisioner (docs/instances.md#drivers): UpdateService,
// DescribeServices, RunTask, ListTasks and DescribeTasks over the AWS JSON 1.1 protocol. Every
// failure is a coded_failure (core/error.hpp): its code (ECS_THROTTLED, ECS_UNAVAILABLE,
// ECS_SERVICE_NOT_FOUND, ECS_CLIENT_ERROR, ...) and whether sending the same call again may
// succeed.
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "aws/aws_json_client.hpp"
#include "aws/environment.hpp"
#include "core/result.hpp"

namespace tenantd::aws {

struct EcsService {
  std::string arn;
  std::string status;  // ACTIVE, DRAINING, INACTIVE
  int desired_count = 0;
  int running_count = 0;
  int pending_count = 0;
  std::string rollout_state;  // of the PRIMARY deployment: IN_PROGRESS, COMPLETED, FAILED
};

struct EcsTask {
  std::string arn;
  std::string last_status;  // PROVISIONING ... RUNNING ... STOPPED
  std::string json;         // the task object as ECS returned it (fields of the STOPPED event)
  std::vector<std::pair<std::string, std::string>> tags;
};

struct RunTaskInput {
  std::string cluster;
  std::string task_definition;
  std::string container;  // the container whose environment is overridden
  std::vector<std::pair<std::string, std::string>> environment;
  std::vector<std::pair<std::string, std::string>> tags;
  std::string started_by;  // at most 36 characters
  std::string launch_type = "FARGATE";
  std::vector<std::string> subnets;  // awsvpc network configuration, when given
  std::vector<std::string> security_groups;
};

class EcsClient {
 public:
  // Endpoint, region, credentials and retries from the environment (AWS_ENDPOINT_URL_ECS, ...).
  static Result<std::unique_ptr<EcsClient>> open(const EnvLookup& env);
  explicit EcsClient(std::unique_ptr<AwsJsonClient> client);

  // nullopt: the cluster has no such service, or only an INACTIVE (deleted) one.
  Result<std::optional<EcsService>> describe_service(const std::string& cluster,
                                                     const std::string& service);
  Result<EcsService> update_service(const std::string& cluster, const std::string& service,
                                    int desired_count);
  Result<EcsTask> run_task(const RunTaskInput& input);
  // ARNs of the cluster's tasks started with `started_by` (running and recently stopped).
  Result<std::vector<std::string>> list_tasks(const std::string& cluster,
                                              const std::string& started_by,
                                              const std::string& desired_status);
  // With their tags.
  Result<std::vector<EcsTask>> describe_tasks(const std::string& cluster,
                                              const std::vector<std::string>& arns);

  // Any other call (tests set up clusters and services with it).
  Result<std::string> call(std::string_view operation, std::string_view body);

 private:
  std::unique_ptr<AwsJsonClient> client_;
};

// The error of an answered call: throttling and 5xx are retryable (the client's own retries are
// spent), a missing service or cluster and other client errors are not.
Error ecs_error(std::string_view operation, const AwsResponse& response);

}  // namespace tenantd::aws
