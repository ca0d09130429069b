// The `ecs` driver against a scripted ECS endpoint: every failure ECS can answer with ends the
// operation FAILED with a code, a message and the retryable flag, and the instance's lastError
// says the same. (The happy paths run against moto: tests/moto/ecs_provisioner_test.cpp.)
#include "provision/ecs_provisioner.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <map>

#include "unit/aws/fake_http_server.hpp"
#include "unit/provision/instance_fixture.hpp"

namespace tenantd::provision {
namespace {

using testing_support::FakeHttpServer;

std::string error_body(const std::string& type, const std::string& message) {
  return R"({"__type":")" + type + R"(","message":")" + message + R"("})";
}

std::string service_body(int desired, int running) {
  return R"({"services":[{"serviceArn":"arn:aws:ecs:eu-west-1:1:service/c/s","status":"ACTIVE",)"
         R"("desiredCount":)" +
         std::to_string(desired) + R"(,"runningCount":)" + std::to_string(running) +
         R"(,"pendingCount":0,"deployments":[{"status":"PRIMARY","rolloutState":"COMPLETED"}]}],)"
         R"("failures":[]})";
}

// Answers by operation name (the X-Amz-Target suffix); counts the calls of each.
class ScriptedEcs {
 public:
  std::map<std::string, std::pair<int, std::string>> answers;
  std::map<std::string, int> calls;
  std::mutex mutex;

  FakeHttpServer::Handler handler() {
    return [this](const FakeHttpServer::Request& request) {
      std::string target(request["X-Amz-Target"]);
      const std::string op = target.substr(target.find('.') + 1);
      const std::lock_guard lock(mutex);
      ++calls[op];
      const auto it = answers.find(op);
      if (it == answers.end()) {
        return FakeHttpServer::reply(400, error_body("InvalidParameterException", "unscripted"));
      }
      return FakeHttpServer::reply(it->second.first, it->second.second);
    };
  }
};

class EcsProvisionerFailureTest : public ::testing::Test {
 protected:
  EcsProvisionerFailureTest() : server_(script_.handler()) {
    aws::ClientSettings settings;
    settings.retry.max_attempts = 3;
    settings.retry.base = std::chrono::milliseconds(1);
    aws::ServiceEndpoint endpoint{"ecs", "eu-west-1", *Url::parse(server_.url())};
    auto client = std::make_unique<aws::EcsClient>(std::make_unique<aws::AwsJsonClient>(
        endpoint, "AmazonEC2ContainerServiceV20141113", "1.1",
        std::make_shared<aws::StaticCredentials>(aws::Credentials{"AKID", "secret", ""}),
        settings));
    EcsSettings s;
    s.backup_task_definition = "bbws-backup-dev";
    s.restore_task_definition = "bbws-restore-dev";
    driver_ = std::make_unique<EcsProvisioner>(f_.instances, *f_.store, f_.clock, std::move(client),
                                               s, nullptr);
  }

  // Scales a fresh ACTIVE instance to 3 and runs one pass; returns the instance id and op id.
  std::pair<std::string, std::string> scale_once() {
    const auto inst = f_.active_instance();
    auto accepted = f_.instances.scale(f_.admin(), "", inst.instance_id, 3);
    EXPECT_TRUE(accepted.ok());
    EXPECT_TRUE(driver_->run_once().ok());
    return {inst.instance_id, accepted->operation.operation_id};
  }

  void expect_failed(const std::string& iid, const std::string& op, const std::string& code,
                     bool retryable) {
    const auto operation = f_.operation(op);
    EXPECT_EQ(operation.status, domain::OperationStatus::Failed);
    ASSERT_TRUE(operation.error.has_value());
    EXPECT_EQ(operation.error->code, code) << operation.error->message;
    EXPECT_EQ(operation.error->retryable, retryable);
    const auto instance = f_.instance(iid);
    EXPECT_EQ(instance.state, domain::InstanceState::Active);  // back where it started
    EXPECT_FALSE(instance.current_operation_id.has_value());
    ASSERT_TRUE(instance.last_error.has_value());
    EXPECT_EQ(instance.last_error->code, code);
    EXPECT_EQ(instance.last_error->retryable, retryable);
  }

  testing_support::InstanceFixture f_;
  ScriptedEcs script_;
  FakeHttpServer server_;
  std::unique_ptr<EcsProvisioner> driver_;
};

TEST_F(EcsProvisionerFailureTest, ThrottlingThatOutlastsTheRetriesFailsRetryable) {
  script_.answers["DescribeServices"] = {400, error_body("ThrottlingException", "Rate exceeded")};
  const auto [iid, op] = scale_once();
  expect_failed(iid, op, "ECS_THROTTLED", true);
  EXPECT_EQ(script_.calls["DescribeServices"], 3);  // the client's own retries came first
  EXPECT_NE(f_.operation(op).error->message.find("after 3 attempts"), std::string::npos);
}

TEST_F(EcsProvisionerFailureTest, ServerErrorsFailRetryable) {
  script_.answers["DescribeServices"] = {200, service_body(2, 2)};
  script_.answers["UpdateService"] = {503, error_body("ServerException", "down")};
  const auto [iid, op] = scale_once();
  expect_failed(iid, op, "ECS_UNAVAILABLE", true);
}

TEST_F(EcsProvisionerFailureTest, ClientErrorsFailNotRetryable) {
  script_.answers["DescribeServices"] = {200, service_body(2, 2)};
  script_.answers["UpdateService"] = {400, error_body("ClientException", "bad role")};
  const auto [iid, op] = scale_once();
  expect_failed(iid, op, "ECS_CLIENT_ERROR", false);
  EXPECT_EQ(script_.calls["UpdateService"], 1);  // never retried
}

TEST_F(EcsProvisionerFailureTest, AMissingServiceFailsNotRetryable) {
  script_.answers["DescribeServices"] = {
      200, R"({"services":[],"failures":[{"arn":"x","reason":"MISSING"}]})"};
  const auto [iid, op] = scale_once();
  expect_failed(iid, op, "ECS_SERVICE_NOT_FOUND", false);
  EXPECT_EQ(script_.calls.count("UpdateService"), 0U);
}

TEST_F(EcsProvisionerFailureTest, AServiceThatNeverGetsThereTimesOut) {
  script_.answers["DescribeServices"] = {200, service_body(3, 1)};  // updated, not yet running
  const auto [iid, op] = scale_once();
  EXPECT_EQ(f_.operation(op).status, domain::OperationStatus::Pending);  // still waiting
  f_.clock.advance(std::chrono::minutes(31));
  ASSERT_TRUE(driver_->run_once().ok());
  expect_failed(iid, op, "OPERATION_TIMEOUT", true);
}

TEST_F(EcsProvisionerFailureTest, ATaskECSCouldNotPlaceFailsTheBackupRetryable) {
  script_.answers["ListTasks"] = {200, R"({"taskArns":[]})"};
  script_.answers["RunTask"] = {
      200, R"({"tasks":[],"failures":[{"arn":"x","reason":"RESOURCE:MEMORY"}]})"};
  const auto inst = f_.active_instance();
  auto accepted = f_.instances.backup(f_.admin(), "", inst.instance_id, service::BackupInput{});
  ASSERT_TRUE(accepted.ok());
  ASSERT_TRUE(driver_->run_once().ok());
  expect_failed(inst.instance_id, accepted->operation.operation_id, "ECS_TASK_NOT_STARTED", true);
  EXPECT_NE(f_.operation(accepted->operation.operation_id).error->message.find("RESOURCE:MEMORY"),
            std::string::npos);
  EXPECT_EQ(f_.instances.get_backup(f_.admin(), "", inst.instance_id, accepted->backup->backup_id)
                ->status,
            domain::BackupStatus::Failed);
}

TEST_F(EcsProvisionerFailureTest, AFailedScaleOfAMissingServiceKeepsEveryCount) {
  script_.answers["DescribeServices"] = {
      200, R"({"services":[],"failures":[{"arn":"x","reason":"MISSING"}]})"};
  const auto [iid, op] = scale_once();
  expect_failed(iid, op, "ECS_SERVICE_NOT_FOUND", false);
  const auto instance = f_.instance(iid);
  EXPECT_EQ(instance.configuration.desired_count, 2);  // not the 3 that failed
  EXPECT_EQ(instance.desired_count, 2);
  EXPECT_EQ(instance.running_count, 2);
  EXPECT_EQ(f_.operation(op).requested->desired_count, 3);
}

TEST_F(EcsProvisionerFailureTest, ATimedOutScaleSetsTheServiceBackToTheInstancesCount) {
  script_.answers["DescribeServices"] = {200, service_body(2, 2)};
  const std::string listed = service_body(3, 2);  // {"services":[SERVICE],"failures":[]}
  const std::string service = listed.substr(13, listed.find("],\"failures\"") - 13);
  script_.answers["UpdateService"] = {200, R"({"service":)" + service + "}"};
  const auto [iid, op] = scale_once();
  ASSERT_EQ(script_.calls["UpdateService"], 1);  // asked for 3
  f_.clock.advance(std::chrono::minutes(31));
  ASSERT_TRUE(driver_->run_once().ok());
  expect_failed(iid, op, "OPERATION_TIMEOUT", true);
  EXPECT_EQ(script_.calls["UpdateService"], 3);  // 3 again on the late pass, then back to 2
  EXPECT_EQ(f_.instance(iid).desired_count, 2);
}

TEST_F(EcsProvisionerFailureTest, LiveStatusNamesTheEcsErrorItCouldNotReadPast) {
  script_.answers["DescribeServices"] = {503, error_body("ServerException", "down")};
  const auto inst = f_.active_instance();
  auto read = driver_->live_status(inst);
  ASSERT_TRUE(read.has_value());
  EXPECT_FALSE(read->service.has_value());
  ASSERT_TRUE(read->error.has_value());
  EXPECT_EQ(read->error->code, "ECS_UNAVAILABLE");
  EXPECT_EQ(read->error->retryable, true);
}

TEST_F(EcsProvisionerFailureTest, CreateUpdateAndDeleteAreLeftToAnotherDriver) {
  EXPECT_FALSE(EcsProvisioner::handles(domain::OperationType::Provision));
  EXPECT_FALSE(EcsProvisioner::handles(domain::OperationType::Update));
  EXPECT_FALSE(EcsProvisioner::handles(domain::OperationType::Deprovision));
  service::CreateTenantInput in;
  in.organization_name = "Beta Ltd";
  in.contact_email = "owner@example.com";
  const std::string tid = f_.tenants.create(f_.admin(), in).value().tenant_id;
  auto created = f_.instances.create(f_.admin(), tid, service::CreateInstanceInput{});
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(driver_->run_once().value(), 0U);
  EXPECT_TRUE(script_.calls.empty());  // not one ECS call
  EXPECT_EQ(f_.operation(created->operation.operation_id).status, domain::OperationStatus::Pending);
}

}  // namespace
}  // namespace tenantd::provision
