// The `ecs` driver against moto's ECS (cluster, services, task definitions, tasks): scale,
// suspend and resume move the tenant's service; backup and restore run one tagged task each and
// complete from the task's own report; GET /instances/{id}/status reads live counts, cached.
#include "provision/ecs_provisioner.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>

#include "core/json.hpp"
#include "moto/moto_endpoint.hpp"
#include "unit/provision/instance_fixture.hpp"

namespace tenantd::provision {
namespace {

class EcsProvisionerMotoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    // One cluster per test: the moto server is shared by the whole run.
    cluster_ = "bbws-cluster-u" + std::to_string(::getpid()) + "x" + std::to_string(counter++);
    const std::string endpoint = testing_support::moto_endpoint();
    ASSERT_FALSE(endpoint.empty());
    const auto env = testing_support::moto_environment(endpoint);
    auto admin = aws::EcsClient::open(env);
    ASSERT_TRUE(admin.ok());
    ecs_ = std::move(*admin);
    ok("CreateCluster", R"({"clusterName":")" + cluster_ + R"("})");
    for (const char* family : {"bbws-backup-dev", "bbws-restore-dev", "wordpress"}) {
      ok("RegisterTaskDefinition",
         std::string(R"({"family":")") + family +
             // Not awsvpc: moto 5.2 fails RunTask with an awsvpc network (private_dns_name).
             R"(","networkMode":"bridge","cpu":"256",)"
             R"("memory":"512","containerDefinitions":[{"name":"backup","image":"bbws/backup",)"
             R"("memory":512,"essential":true}]})");
    }
    auto client = aws::EcsClient::open(env);
    ASSERT_TRUE(client.ok());
    EcsSettings s;
    s.cluster = cluster_;
    s.backup_task_definition = "bbws-backup-dev";
    s.restore_task_definition = "bbws-restore-dev";
    s.backup_bucket = "bbws-backups-dev";
    driver_ = std::make_unique<EcsProvisioner>(f_.instances, *f_.store, f_.clock,
                                               std::move(*client), s, nullptr);
  }

  std::string ok(std::string_view op, const std::string& body) {
    auto answer = ecs_->call(op, body);
    if (!answer) {
      ADD_FAILURE() << op << ": " << answer.error().message;
      return "";
    }
    return *answer;
  }

  void create_service(const domain::Instance& i) {
    ok("CreateService", R"({"cluster":")" + cluster_ + R"(","serviceName":"tenant-)" + i.tenant_id +
                            R"(-wordpress","taskDefinition":"wordpress","desiredCount":2,)"
                            R"("tags":[{"key":"bbws:tenant-id","value":")" +
                            i.tenant_id + R"("},{"key":"bbws:environment","value":"dev"}]})");
  }

  aws::EcsService service(const domain::Instance& i) {
    auto d = ecs_->describe_service(cluster_, "tenant-" + i.tenant_id + "-wordpress");
    EXPECT_TRUE(d.ok());
    return d && *d ? **d : aws::EcsService{};
  }

  std::vector<aws::EcsTask> tasks_of(const std::string& operation_id) {
    std::vector<std::string> arns;
    for (const char* status : {"RUNNING", "STOPPED"}) {
      auto listed =
          ecs_->list_tasks(cluster_, operation_id.substr(operation_id.size() - 36), status);
      for (const auto& a : *listed) {
        arns.push_back(a);
      }
    }
    if (arns.empty()) {
      return {};
    }
    return ecs_->describe_tasks(cluster_, arns).value();
  }

  // The operation's error message, for failure output.
  std::string error_of(const std::string& op) {
    const auto o = f_.operation(op);
    return o.error ? o.error->code + ": " + o.error->message : "(no error)";
  }

  static std::string tag(const aws::EcsTask& t, const std::string& key) {
    for (const auto& [k, v] : t.tags) {
      if (k == key) {
        return v;
      }
    }
    return "";
  }

  // What the backup container does at the end: tags its task with what it wrote, then exits.
  void finish_task(const aws::EcsTask& t, bool report) {
    if (report) {
      ok("TagResource", R"({"resourceArn":")" + t.arn +
                            R"(","tags":[{"key":"bbws:backup-size-bytes","value":"734003200"},)"
                            R"({"key":"bbws:backup-checksum","value":"sha256:9f86d081"}]})");
    }
    ok("StopTask", R"({"cluster":")" + cluster_ + R"(","task":")" + t.arn +
                       R"(","reason":"Essential container in task exited"})");
  }

  testing_support::InstanceFixture f_;
  std::string cluster_;
  std::unique_ptr<aws::EcsClient> ecs_;
  std::unique_ptr<EcsProvisioner> driver_;
};

TEST_F(EcsProvisionerMotoTest, ScaleSuspendAndResumeMoveTheServicesDesiredCount) {
  const auto inst = f_.active_instance();
  create_service(inst);
  const std::string& iid = inst.instance_id;

  auto scaled = f_.instances.scale(f_.admin(), "", iid, 4);
  ASSERT_TRUE(scaled.ok());
  EXPECT_EQ(driver_->run_once().value(), 1U);
  EXPECT_EQ(service(inst).desired_count, 4);
  EXPECT_EQ(f_.operation(scaled->operation.operation_id).status,
            domain::OperationStatus::Completed);
  EXPECT_EQ(f_.instance(iid).state, domain::InstanceState::Active);

  auto suspended = f_.instances.suspend(f_.admin(), "", iid);
  ASSERT_TRUE(suspended.ok());
  EXPECT_EQ(driver_->run_once().value(), 1U);
  EXPECT_EQ(service(inst).desired_count, 0);
  EXPECT_EQ(f_.instance(iid).state, domain::InstanceState::Suspended);

  // Resume restores the count from before the suspension, not the default.
  auto resumed = f_.instances.resume(f_.admin(), "", iid);
  ASSERT_TRUE(resumed.ok());
  EXPECT_EQ(driver_->run_once().value(), 1U);
  EXPECT_EQ(service(inst).desired_count, 4);
  EXPECT_EQ(f_.instance(iid).state, domain::InstanceState::Active);
  EXPECT_EQ(driver_->run_once().value(), 0U);  // nothing left to do
}

TEST_F(EcsProvisionerMotoTest, AScaleOfAServiceThatDoesNotExistFailsNotRetryable) {
  const auto inst = f_.active_instance();  // no ECS service created
  auto scaled = f_.instances.scale(f_.admin(), "", inst.instance_id, 3);
  ASSERT_TRUE(scaled.ok());
  EXPECT_EQ(driver_->run_once().value(), 1U);
  const auto op = f_.operation(scaled->operation.operation_id);
  EXPECT_EQ(op.status, domain::OperationStatus::Failed);
  EXPECT_EQ(op.error->code, "ECS_SERVICE_NOT_FOUND");
  EXPECT_EQ(op.error->retryable, false);
  EXPECT_EQ(f_.instance(inst.instance_id).last_error->code, "ECS_SERVICE_NOT_FOUND");
}

TEST_F(EcsProvisionerMotoTest, ABackupRunsOneTaggedTaskAndCompletesFromItsReport) {
  const auto inst = f_.active_instance();
  create_service(inst);
  auto accepted = f_.instances.backup(f_.admin(), "", inst.instance_id, service::BackupInput{});
  ASSERT_TRUE(accepted.ok());
  const std::string op = accepted->operation.operation_id;
  const std::string bid = accepted->backup->backup_id;

  EXPECT_EQ(driver_->run_once().value(), 0U) << error_of(op);  // started, not finished
  EXPECT_EQ(driver_->run_once().value(), 0U);  // a second pass starts no second task
  auto tasks = tasks_of(op);
  ASSERT_EQ(tasks.size(), 1U);
  const std::string location =
      "s3://bbws-backups-dev/" + inst.tenant_id + "/" + inst.instance_id + "/" + bid + ".tar.gz";
  EXPECT_EQ(tag(tasks[0], "bbws:backup-id"), bid);
  EXPECT_EQ(tag(tasks[0], "bbws:operation-id"), op);
  EXPECT_EQ(tag(tasks[0], "bbws:tenant-id"), inst.tenant_id);
  EXPECT_EQ(tag(tasks[0], "bbws:environment"), "dev");
  EXPECT_EQ(tag(tasks[0], "bbws:backup-location"), location);
  // The container learns what to back up and where from its environment overrides.
  for (const std::string& expected :
       std::vector<std::string>{R"({"name":"TENANT_ID","value":")" + inst.tenant_id + "\"}",
                                R"({"name":"BACKUP_ID","value":")" + bid + "\"}",
                                std::string(R"({"name":"TYPE","value":"FULL"})"),
                                R"({"name":"BACKUP_LOCATION","value":")" + location + "\"}"}) {
    EXPECT_NE(tasks[0].json.find(expected), std::string::npos) << expected << tasks[0].json;
  }

  finish_task(tasks[0], true);
  EXPECT_EQ(driver_->run_once().value(), 1U);
  const auto backup = f_.instances.get_backup(f_.admin(), "", inst.instance_id, bid).value();
  EXPECT_EQ(backup.status, domain::BackupStatus::Completed);
  EXPECT_EQ(backup.size_bytes, 734003200);
  EXPECT_EQ(backup.checksum, "sha256:9f86d081");
  EXPECT_EQ(backup.location, location);
  EXPECT_EQ(f_.instance(inst.instance_id).state, domain::InstanceState::Active);

  // A restore of it runs the restore task with the backup's location and ends ACTIVE.
  auto restore = f_.instances.restore(f_.admin(), "", inst.instance_id, bid);
  ASSERT_TRUE(restore.ok());
  EXPECT_EQ(driver_->run_once().value(), 0U);
  auto restore_tasks = tasks_of(restore->operation.operation_id);
  ASSERT_EQ(restore_tasks.size(), 1U);
  EXPECT_NE(restore_tasks[0].json.find("bbws-restore-dev"), std::string::npos);
  EXPECT_EQ(tag(restore_tasks[0], "bbws:operation-type"), "RESTORE");
  finish_task(restore_tasks[0], false);
  EXPECT_EQ(driver_->run_once().value(), 1U);
  EXPECT_EQ(f_.operation(restore->operation.operation_id).status,
            domain::OperationStatus::Completed);
}

TEST_F(EcsProvisionerMotoTest, ABackupTaskThatExitsWithoutItsReportFails) {
  const auto inst = f_.active_instance();
  auto accepted = f_.instances.backup(f_.admin(), "", inst.instance_id, service::BackupInput{});
  ASSERT_TRUE(accepted.ok());
  EXPECT_EQ(driver_->run_once().value(), 0U);
  auto tasks = tasks_of(accepted->operation.operation_id);
  ASSERT_EQ(tasks.size(), 1U);
  finish_task(tasks[0], false);
  EXPECT_EQ(driver_->run_once().value(), 1U);
  const auto op = f_.operation(accepted->operation.operation_id);
  EXPECT_EQ(op.status, domain::OperationStatus::Failed);
  EXPECT_EQ(op.error->code, "BACKUP_REPORT_MISSING");
  EXPECT_EQ(f_.instances.get_backup(f_.admin(), "", inst.instance_id, accepted->backup->backup_id)
                ->status,
            domain::BackupStatus::Failed);
}

TEST_F(EcsProvisionerMotoTest, LiveStatusComesFromEcsAndIsCachedBriefly) {
  const auto inst = f_.active_instance();
  create_service(inst);
  auto first = driver_->live_status(inst);
  ASSERT_TRUE(first.has_value() && first->service.has_value());
  EXPECT_FALSE(first->error.has_value());
  EXPECT_EQ(first->service->desired_count, 2);
  // Someone scales the service behind our back: the cached answer holds for the TTL only.
  ok("UpdateService", R"({"cluster":")" + cluster_ + R"(","service":"tenant-)" + inst.tenant_id +
                          R"(-wordpress","desiredCount":5})");
  EXPECT_EQ(driver_->live_status(inst)->service->desired_count, 2);
  f_.clock.advance(std::chrono::seconds(6));
  auto later = driver_->live_status(inst);
  ASSERT_TRUE(later.has_value() && later->service.has_value());
  EXPECT_EQ(later->service->desired_count, 5);
  EXPECT_EQ(later->service->running_count, 5);
}

TEST_F(EcsProvisionerMotoTest, LiveStatusOfAMissingServiceSaysWhyItHasNoCounts) {
  const auto inst = f_.active_instance();  // no service created
  auto read = driver_->live_status(inst);
  ASSERT_TRUE(read.has_value());
  EXPECT_FALSE(read->service.has_value());
  ASSERT_TRUE(read->error.has_value());
  EXPECT_EQ(read->error->code, "ECS_SERVICE_NOT_FOUND");
}

}  // namespace
}  // namespace tenantd::provision
