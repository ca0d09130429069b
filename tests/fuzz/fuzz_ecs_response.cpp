// ECS responses: each call of the ECS driver's client (DescribeServices, UpdateService,
// RunTask, ListTasks, DescribeTasks) and the tag reader (ListTagsForResource) on a scripted
// answer (scripted_aws.hpp: first byte the call, second the status, the rest the body).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "aws/ecs_client.hpp"
#include "aws/ecs_tags.hpp"
#include "fuzz/scripted_aws.hpp"

// NOLINTNEXTLINE(readability-identifier-naming): the entry point libFuzzer calls
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Never destroyed: the scripted server's threads run until exit().
  static auto& aws = *new tenantd::fuzz::ScriptedAws;
  static tenantd::aws::EcsClient ecs(
      aws.client("ecs", "AmazonEC2ContainerServiceV20141113", "1.1"));
  const int call = aws.script(data, size);
  if (call < 0) {
    return 0;
  }
  switch (call % 6) {
    case 0:
      (void)ecs.describe_service("bbws-cluster-dev", "tenant-svc");
      break;
    case 1:
      (void)ecs.update_service("bbws-cluster-dev", "tenant-svc", 1);
      break;
    case 2: {
      tenantd::aws::RunTaskInput input;
      input.cluster = "bbws-cluster-dev";
      input.task_definition = "bbws-backup-dev";
      input.container = "backup";
      input.environment = {{"TENANT_ID", "t"}};
      input.tags = {{"bbws:tenant-id", "t"}};
      input.started_by = "op-1";
      (void)ecs.run_task(input);
      break;
    }
    case 3:
      (void)ecs.list_tasks("bbws-cluster-dev", "op-1", "STOPPED");
      break;
    case 4:
      (void)ecs.describe_tasks("bbws-cluster-dev", {"arn:aws:ecs:eu-west-1:1:task/c/1"});
      break;
    default: {
      // A fresh reader each time: the reader caches answers per ARN.
      tenantd::aws::EcsTagReader reader(
          aws.client("ecs", "AmazonEC2ContainerServiceV20141113", "1.1"));
      (void)reader.tags("arn:aws:ecs:eu-west-1:1:task/c/1");
      break;
    }
  }
  return 0;
}
