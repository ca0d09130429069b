#include "service/ecs_events.hpp"

#include <gtest/gtest.h>

#include <string>

#include "service/instance_service.hpp"
#include "service/tenant_service.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace tenantd::service {
namespace {

using domain::InstanceState;
using domain::ReportType;

// Fixtures shaped like the events EventBridge delivers from ECS (account, ids and names are
// made up): a service action, deployment state changes and a stopped one-off task.
constexpr const char* kServiceArn =
    "arn:aws:ecs:eu-west-1:123456789012:service/bbws-cluster-dev/tenant-acme-wordpress";
constexpr const char* kTaskArn =
    "arn:aws:ecs:eu-west-1:123456789012:task/bbws-cluster-dev/0f6c9d1e2b3a4c5d8e7f6a5b4c3d2e1f";

std::string service_action(std::string_view event_name) {
  return R"({
  "version": "0",
  "id": "4b1f6c1e-8f0b-2d4e-9a7c-0e5d3c2b1a09",
  "detail-type": "ECS Service Action",
  "source": "aws.ecs",
  "account": "123456789012",
  "time": "2026-01-25T10:30:00Z",
  "region": "eu-west-1",
  "resources": [")" +
         std::string(kServiceArn) + R"("],
  "detail": {
    "eventType": "INFO",
    "eventName": ")" +
         std::string(event_name) + R"(",
    "clusterArn": "arn:aws:ecs:eu-west-1:123456789012:cluster/bbws-cluster-dev",
    "createdAt": "2026-01-25T10:29:58.512Z"
  }
})";
}

std::string deployment(std::string_view event_name, std::string_view event_type = "INFO") {
  return R"({
  "version": "0",
  "id": "9c0d2e4f-6a8b-1c3d-5e7f-9a0b2c4d6e8f",
  "detail-type": "ECS Deployment State Change",
  "source": "aws.ecs",
  "account": "123456789012",
  "time": "2026-01-25T10:31:14Z",
  "region": "eu-west-1",
  "resources": [")" +
         std::string(kServiceArn) + R"("],
  "detail": {
    "eventType": ")" +
         std::string(event_type) + R"(",
    "eventName": ")" +
         std::string(event_name) + R"(",
    "deploymentId": "ecs-svc/6712345678901234567",
    "updatedAt": "2026-01-25T10:31:10.000Z",
    "reason": "ECS deployment circuit breaker: tasks failed to start."
  }
})";
}

std::string stopped_task(int backup_exit, int sidecar_exit) {
  return R"({
  "version": "0",
  "id": "1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d",
  "detail-type": "ECS Task State Change",
  "source": "aws.ecs",
  "account": "123456789012",
  "time": "2026-01-25T11:02:41Z",
  "region": "eu-west-1",
  "resources": [")" +
         std::string(kTaskArn) + R"("],
  "detail": {
    "clusterArn": "arn:aws:ecs:eu-west-1:123456789012:cluster/bbws-cluster-dev",
    "containers": [
      {"containerArn": "arn:aws:ecs:eu-west-1:123456789012:container/bbws-cluster-dev/0f6c/11aa",
       "exitCode": )" +
         std::to_string(backup_exit) + R"(, "lastStatus": "STOPPED", "name": "backup",
       "taskArn": ")" +
         kTaskArn + R"("},
      {"containerArn": "arn:aws:ecs:eu-west-1:123456789012:container/bbws-cluster-dev/0f6c/22bb",
       "exitCode": )" +
         std::to_string(sidecar_exit) + R"(, "lastStatus": "STOPPED", "name": "log-router",
       "taskArn": ")" +
         kTaskArn + R"("}
    ],
    "createdAt": "2026-01-25T11:00:02.118Z",
    "desiredStatus": "STOPPED",
    "group": "family:bbws-backup-dev",
    "lastStatus": "STOPPED",
    "launchType": "FARGATE",
    "startedAt": "2026-01-25T11:00:31.904Z",
    "stopCode": "EssentialContainerExited",
    "stoppedAt": "2026-01-25T11:02:40.377Z",
    "stoppedReason": "Essential container in task exited",
    "taskArn": ")" +
         kTaskArn + R"(",
    "taskDefinitionArn": "arn:aws:ecs:eu-west-1:123456789012:task-definition/bbws-backup-dev:3",
    "version": 4
  }
})";
}

EcsTagLookup tags_for(std::string tenant, std::string env, std::string op = "") {
  return [=](std::string_view arn) -> Result<std::optional<EcsTags>> {
    EcsTags t{{"bbws:tenant-id", tenant},
              {"bbws:environment", env},
              {"bbws:component", "wordpress"},
              {"bbws:managed-by", "tenantd"}};
    if (arn == kTaskArn && !op.empty()) {
      t["bbws:operation-id"] = op;
    }
    return std::optional<EcsTags>(t);
  };
}

TEST(EcsEventMapping, ServiceAndDeploymentEventsFollowSpecMapping) {
  const auto tags = tags_for("tenant-acme", "dev");
  struct Case {
    std::string json;
    InstanceState state;
  };
  const Case cases[] = {
      {service_action("SERVICE_STEADY_STATE"), InstanceState::Active},
      {service_action("SERVICE_TASK_START_IMPAIRED"), InstanceState::Failed},
      {service_action("SERVICE_DELETED"), InstanceState::Deprovisioned},
      {deployment("SERVICE_DEPLOYMENT_IN_PROGRESS"), InstanceState::Provisioning},
      {deployment("SERVICE_DEPLOYMENT_COMPLETED"), InstanceState::Active},
      {deployment("SERVICE_DEPLOYMENT_FAILED", "ERROR"), InstanceState::Failed},
      {deployment("DEPLOYMENT_COMPLETED"),
       InstanceState::Active},  // the spelling of docs/instances.md
  };
  for (const auto& c : cases) {
    auto mapped = map_ecs_event(c.json, "dev", tags);
    ASSERT_TRUE(mapped.ok()) << c.json;
    ASSERT_TRUE(mapped->has_value()) << c.json;
    EXPECT_EQ((*mapped)->tenant_id, "tenant-acme");
    EXPECT_EQ((*mapped)->report.type, ReportType::StateChanged);
    EXPECT_EQ((*mapped)->report.state, c.state) << c.json;
  }
  auto failed = map_ecs_event(deployment("SERVICE_DEPLOYMENT_FAILED", "ERROR"), "dev", tags);
  EXPECT_EQ((*failed)->report.error->code, "DEPLOYMENT_FAILED");
  EXPECT_NE((*failed)->report.error->message.find("circuit breaker"), std::string::npos);
}

TEST(EcsEventMapping, StoppedOneOffTaskEndsItsOperation) {
  const auto tags = tags_for("tenant-acme", "dev", "op-123");
  auto ok = map_ecs_event(stopped_task(0, 0), "dev", tags);
  ASSERT_TRUE(ok.ok() && ok->has_value());
  EXPECT_EQ((*ok)->report.type, ReportType::OperationCompleted);
  EXPECT_EQ((*ok)->report.operation_id, "op-123");
  auto bad = map_ecs_event(stopped_task(0, 137), "dev", tags);
  ASSERT_TRUE(bad.ok() && bad->has_value());
  EXPECT_EQ((*bad)->report.type, ReportType::OperationFailed);
  EXPECT_NE((*bad)->report.error->message.find("log-router"), std::string::npos);
  // A task that is not one of ours (no operation tag) carries no progress.
  auto service_task = map_ecs_event(stopped_task(0, 0), "dev", tags_for("tenant-acme", "dev"));
  ASSERT_TRUE(service_task.ok());
  EXPECT_FALSE(service_task->has_value());
}

TEST(EcsEventMapping, OtherEnvironmentsUntaggedAndForeignEventsAreNotOurs) {
  EXPECT_FALSE(
      map_ecs_event(service_action("SERVICE_STEADY_STATE"), "dev", tags_for("tenant-acme", "prod"))
          ->has_value());
  const EcsTagLookup unknown = [](std::string_view) -> Result<std::optional<EcsTags>> {
    return std::optional<EcsTags>{};
  };
  EXPECT_FALSE(map_ecs_event(service_action("SERVICE_STEADY_STATE"), "dev", unknown)->has_value());
  const EcsTagLookup no_tenant = [](std::string_view) -> Result<std::optional<EcsTags>> {
    return std::optional<EcsTags>(EcsTags{{"bbws:environment", "dev"}});
  };
  EXPECT_FALSE(
      map_ecs_event(service_action("SERVICE_STEADY_STATE"), "dev", no_tenant)->has_value());
  EXPECT_FALSE(map_ecs_event(service_action("SERVICE_TASK_PLACEMENT_FAILURE"), "dev",
                             tags_for("tenant-acme", "dev"))
                   ->has_value());
  std::string ec2 = service_action("SERVICE_STEADY_STATE");
  ec2.replace(ec2.find("aws.ecs"), 7, "aws.ec2");
  EXPECT_FALSE(map_ecs_event(ec2, "dev", tags_for("tenant-acme", "dev"))->has_value());
  EXPECT_FALSE(map_ecs_event("{not json", "dev", tags_for("tenant-acme", "dev")).ok());
}

// The mapped reports drive a real instance through the same path as every other report.
class EcsEventsServiceTest : public ::testing::Test {
 protected:
  EcsEventsServiceTest()
      : clock_(TimePoint(std::chrono::milliseconds(1769337000000))),
        store_(store::sqlite::SqliteStore::open(":memory:", "dev", clock_).value()),
        instances_(*store_, ids_, InstanceOptions{}, InstanceEvents{}),
        tenants_(*store_, ids_, ChangeLogOptions{}, TenantEvents{}) {}

  Context admin() const {
    return Context{Principal{"user-admin", "admin@example.com", {"platform-admins"}}, "req-1",
                   clock_.now(), std::nullopt};
  }
  Result<ReportOutcome> deliver(const std::string& json, const std::string& tenant,
                                const std::string& op = "") {
    auto mapped = map_ecs_event(json, "dev", tags_for(tenant, "dev", op));
    EXPECT_TRUE(mapped.ok() && mapped->has_value());
    return instances_.apply_ecs_report(admin(), **mapped);
  }

  ManualClock clock_;
  SequentialIds ids_;
  std::unique_ptr<store::ItemStore> store_;
  InstanceService instances_;
  TenantService tenants_;
};

TEST_F(EcsEventsServiceTest, DeploymentEventsFinishProvisioningAndReplaysAreIgnored) {
  CreateTenantInput in;
  in.organization_name = "Acme Ltd";
  in.contact_email = "owner@example.com";
  const std::string tid = tenants_.create(admin(), in).value().tenant_id;
  auto created = instances_.create(admin(), tid, CreateInstanceInput{});
  ASSERT_TRUE(created.ok());
  const std::string iid = created->instance.instance_id;
  // The GitOps half of provisioning, reported by its worker.
  for (const auto state :
       {InstanceState::Committing, InstanceState::WorkflowQueued, InstanceState::WorkflowRunning}) {
    domain::ProgressReport r;
    r.state = state;
    ASSERT_TRUE(instances_.apply_report(admin(), iid, r)->applied);
  }
  // Out of order: steady state before the deployment started.
  EXPECT_FALSE(deliver(service_action("SERVICE_STEADY_STATE"), tid)->applied);
  EXPECT_TRUE(deliver(deployment("SERVICE_DEPLOYMENT_IN_PROGRESS"), tid)->applied);
  EXPECT_TRUE(deliver(deployment("SERVICE_DEPLOYMENT_COMPLETED"), tid)->applied);
  EXPECT_FALSE(deliver(service_action("SERVICE_STEADY_STATE"), tid)->applied);  // replay
  EXPECT_EQ(instances_.get(admin(), "", iid)->state, InstanceState::Active);

  // A user suspension settles on the steady state of a service with nothing to run.
  ASSERT_TRUE(tenants_.get(admin(), tid)->status == domain::TenantStatus::Active);
  ASSERT_TRUE(instances_.suspend(admin(), "", iid).ok());
  EXPECT_TRUE(deliver(service_action("SERVICE_STEADY_STATE"), tid)->applied);
  EXPECT_EQ(instances_.get(admin(), "", iid)->state, InstanceState::Suspended);

  // A backup task stopping with exit code 0 completes the backup operation it is tagged with.
  auto backup = instances_.backup(admin(), "", iid, BackupInput{});
  ASSERT_TRUE(backup.ok());
  EXPECT_FALSE(deliver(stopped_task(0, 0), tid, "op-00000000-0000-4000-8000-000000000999")
                   ->applied);  // another operation's task
  EXPECT_TRUE(deliver(stopped_task(0, 0), tid, backup->operation.operation_id)->applied);
  EXPECT_EQ(instances_.get(admin(), "", iid)->state, InstanceState::Suspended);
  EXPECT_EQ(instances_.get_backup(admin(), "", iid, backup->backup->backup_id)->status,
            domain::BackupStatus::Completed);
}

}  // namespace
}  // namespace tenantd::service

namespace tenantd::service {
namespace {

// A backup task's result comes from the tags it set on itself before exiting 0.
TEST(EcsTaskReport, ABackupCompletesWithTheResultItsTaskReported) {
  EcsTags tags{{"bbws:operation-type", "BACKUP"},
               {"bbws:backup-location", "s3://bbws-backups-dev/t/i/b.tar.gz"},
               {"bbws:backup-size-bytes", "734003200"},
               {"bbws:backup-checksum", "sha256:9f86d081"}};
  const std::string task =
      R"({"lastStatus":"STOPPED","containers":[{"name":"backup","exitCode":0}]})";
  auto done = stopped_task_report(task, tags);
  ASSERT_TRUE(done.ok() && done->has_value());
  EXPECT_EQ((*done)->type, ReportType::OperationCompleted);
  ASSERT_TRUE((*done)->backup.has_value());
  EXPECT_EQ((*done)->backup->size_bytes, 734003200);
  EXPECT_EQ((*done)->backup->location, "s3://bbws-backups-dev/t/i/b.tar.gz");
  EXPECT_EQ((*done)->backup->checksum, "sha256:9f86d081");

  for (const char* missing : {"bbws:backup-size-bytes", "bbws:backup-checksum"}) {
    EcsTags partial = tags;
    partial.erase(partial.find(missing));
    auto failed = stopped_task_report(task, partial);
    EXPECT_EQ((*failed)->type, ReportType::OperationFailed) << missing;
    EXPECT_EQ((*failed)->error->code, "BACKUP_REPORT_MISSING");
    EXPECT_EQ((*failed)->error->retryable, false);
  }
  tags["bbws:backup-size-bytes"] = "12kB";  // not a byte count
  EXPECT_EQ((*stopped_task_report(task, tags))->error->code, "BACKUP_REPORT_MISSING");

  // A non-zero exit fails it, retryable, naming the container and its code.
  auto crashed = stopped_task_report(
      R"({"lastStatus":"STOPPED","stoppedReason":"Essential container in task exited",)"
      R"("containers":[{"name":"backup","exitCode":2}]})",
      tags);
  EXPECT_EQ((*crashed)->type, ReportType::OperationFailed);
  EXPECT_EQ((*crashed)->error->code, "TASK_FAILED");
  EXPECT_EQ((*crashed)->error->retryable, true);
  EXPECT_NE((*crashed)->error->message.find("backup exited with code 2"), std::string::npos);
  // Still running: no report.
  EXPECT_FALSE(stopped_task_report(R"({"lastStatus":"RUNNING"})", tags)->has_value());
}

}  // namespace
}  // namespace tenantd::service
