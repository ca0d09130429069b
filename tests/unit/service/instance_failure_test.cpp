// A failed operation leaves its instance as it was (docs/instances.md, "When an operation
// fails"): for every operation type, the simulated driver fails it (SIMULATED_FAIL) and the
// instance's whole representation is compared with the one from before the request.
#include <gtest/gtest.h>

#include <set>

#include "core/json.hpp"
#include "provision/simulated_provisioner.hpp"
#include "records/instance_record.hpp"
#include "service/instance_service.hpp"
#include "service/tenant_service.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace tenantd::service {
namespace {

using domain::InstanceState;
using domain::OperationStatus;
using domain::OperationType;
using S = InstanceState;

constexpr std::chrono::milliseconds kStep{100};

std::set<OperationType> every_type() {
  return {OperationType::Provision, OperationType::Update,     OperationType::Scale,
          OperationType::Suspend,   OperationType::Resume,     OperationType::Backup,
          OperationType::Restore,   OperationType::Deprovision};
}

// The representation without the fields a failure is allowed to change (docs/instances.md).
std::string comparable(const domain::Instance& instance, bool state_changes) {
  auto doc = parse_json(records::instance_json(instance));
  EXPECT_TRUE(doc);
  for (const char* name : {"lastError", "updatedAt", "version"}) {
    doc->EraseMember(name);  // keeps the other members' order
  }
  if (state_changes) {
    doc->EraseMember("state");
    doc->EraseMember("provisioningState");
  }
  return to_json(*doc);
}

class InstanceFailureTest : public ::testing::Test {
 protected:
  InstanceFailureTest()
      : clock_(TimePoint(std::chrono::milliseconds(1769337000000))),
        store_(store::sqlite::SqliteStore::open(":memory:", "dev", clock_).value()),
        instances_(*store_, ids_, InstanceOptions{}, InstanceEvents{}),
        tenants_(*store_, ids_, ChangeLogOptions{}, tenant_events()),
        completing_(instances_, *store_, clock_, kStep, nullptr),
        failing_(instances_, *store_, clock_, kStep, nullptr, every_type()) {}

  TenantEvents tenant_events() {
    TenantEvents e;
    e.hooks.push_back(instances_.tenant_hook());
    return e;
  }
  Context admin() const {
    return Context{Principal{"admin", "admin@example.com", {"platform-admins"}}, "req-1",
                   clock_.now(), std::nullopt};
  }
  domain::Instance now(const std::string& iid) { return instances_.get(admin(), "", iid).value(); }
  // Steps `driver` until the instance rests.
  void run(provision::SimulatedProvisioner& driver, const std::string& iid) {
    for (int i = 0; i < 20 && !domain::is_resting(now(iid).state); ++i) {
      clock_.advance(kStep);
      ASSERT_TRUE(driver.step_due().ok());
    }
  }
  // An ACTIVE instance with a configuration of its own (3 tasks, WordPress 6.4).
  std::string active() {
    CreateTenantInput t;
    t.organization_name = "Acme Ltd";
    t.contact_email = "owner@example.com";
    const std::string tid = tenants_.create(admin(), t).value().tenant_id;
    CreateInstanceInput in;
    in.desired_count = 3;
    in.wordpress_version = "6.4";
    std::string iid = instances_.create(admin(), tid, in).value().instance.instance_id;
    run(completing_, iid);
    EXPECT_EQ(now(iid).state, S::Active);
    return iid;
  }
  // Fails the operation `accepted` started and checks the instance against `before`.
  void expect_failed_back(const Result<Accepted>& accepted, const domain::Instance& before,
                          S rests_in) {
    ASSERT_TRUE(accepted.ok()) << accepted.error().message;
    const std::string iid = before.instance_id;
    run(failing_, iid);
    const auto op = instances_.get_operation(admin(), accepted->operation.operation_id).value();
    ASSERT_EQ(op.status, OperationStatus::Failed);
    ASSERT_TRUE(op.error);
    EXPECT_EQ(op.error->code, "SIMULATED_FAILURE");
    ASSERT_TRUE(op.requested);  // what was asked for stays on the operation
    const domain::Instance after = now(iid);
    EXPECT_EQ(after.state, rests_in);
    ASSERT_TRUE(after.last_error);
    EXPECT_EQ(after.last_error->code, op.error->code);
    EXPECT_GE(after.version, before.version + 2);  // accepted, each step, failed
    const bool state_changes = before.state != rests_in;
    EXPECT_EQ(comparable(after, state_changes), comparable(before, state_changes));
  }

  ManualClock clock_;
  SequentialIds ids_;
  std::unique_ptr<store::ItemStore> store_;
  InstanceService instances_;
  TenantService tenants_;
  provision::SimulatedProvisioner completing_;
  provision::SimulatedProvisioner failing_;
};

TEST_F(InstanceFailureTest, FailedScaleKeepsEveryCountOfTheInstance) {
  const std::string iid = active();
  const domain::Instance before = now(iid);
  auto accepted = instances_.scale(admin(), "", iid, 7);
  ASSERT_TRUE(accepted.ok());
  EXPECT_EQ(now(iid).configuration.desired_count, 3);  // not while it runs either
  EXPECT_EQ(now(iid).desired_count, 3);
  expect_failed_back(accepted, before, S::Active);
  EXPECT_EQ(instances_.get_operation(admin(), accepted->operation.operation_id)
                .value()
                .requested->configuration.desired_count,
            7);
}

TEST_F(InstanceFailureTest, FailedUpdateKeepsTierAndConfiguration) {
  const std::string iid = active();
  const domain::Instance before = now(iid);
  UpdateInstanceInput in;
  in.tier = domain::Tier::Enterprise;
  in.desired_count = 5;
  in.wordpress_version = "6.5";
  in.php_version = "8.3";
  expect_failed_back(instances_.update(admin(), "", iid, in), before, S::Active);
}

TEST_F(InstanceFailureTest, FailedSuspendLeavesTheInstanceActiveWithoutSuspendedBy) {
  const std::string iid = active();
  const domain::Instance before = now(iid);
  expect_failed_back(instances_.suspend(admin(), "", iid), before, S::Active);
  EXPECT_FALSE(now(iid).suspended_by);
}

TEST_F(InstanceFailureTest, FailedResumeLeavesTheInstanceSuspended) {
  const std::string iid = active();
  ASSERT_TRUE(instances_.suspend(admin(), "", iid).ok());
  run(completing_, iid);
  const domain::Instance before = now(iid);
  ASSERT_EQ(before.state, S::Suspended);
  expect_failed_back(instances_.resume(admin(), "", iid), before, S::Suspended);
  EXPECT_EQ(now(iid).desired_count, 0);
  EXPECT_EQ(now(iid).suspended_by, "USER");
}

TEST_F(InstanceFailureTest, FailedBackupFreesItsQuotaSlotAndChangesNothingElse) {
  const std::string iid = active();
  const domain::Instance before = now(iid);
  auto accepted = instances_.backup(admin(), "", iid, BackupInput{});
  expect_failed_back(accepted, before, S::Active);
  EXPECT_EQ(now(iid).backup_count, before.backup_count);
  EXPECT_EQ(instances_.get_backup(admin(), "", iid, accepted->backup->backup_id).value().status,
            domain::BackupStatus::Failed);
}

TEST_F(InstanceFailureTest, FailedRestoreOfASuspendedInstanceLeavesItSuspended) {
  const std::string iid = active();
  auto backup = instances_.backup(admin(), "", iid, BackupInput{});
  ASSERT_TRUE(backup.ok());
  run(completing_, iid);
  ASSERT_TRUE(instances_.suspend(admin(), "", iid).ok());
  run(completing_, iid);
  const domain::Instance before = now(iid);
  expect_failed_back(instances_.restore(admin(), "", iid, backup->backup->backup_id), before,
                     S::Suspended);
}

TEST_F(InstanceFailureTest, FailedDeprovisionFailsTheInstanceAndKeepsItsConfiguration) {
  const std::string iid = active();
  const domain::Instance before = now(iid);
  expect_failed_back(instances_.remove(admin(), "", iid), before, S::Failed);
}

TEST_F(InstanceFailureTest, FailedProvisioningRetryKeepsTheConfigurationItHad) {
  CreateTenantInput t;
  t.organization_name = "Acme Ltd";
  t.contact_email = "owner@example.com";
  const std::string tid = tenants_.create(admin(), t).value().tenant_id;
  const std::string iid =
      instances_.create(admin(), tid, CreateInstanceInput{}).value().instance.instance_id;
  run(failing_, iid);
  const domain::Instance before = now(iid);
  ASSERT_EQ(before.state, S::Failed);
  ASSERT_TRUE(tenants_.set_status(admin(), tid, domain::TenantStatus::Pending, std::nullopt).ok());
  UpdateInstanceInput in;
  in.wordpress_version = "6.5";
  in.desired_count = 4;
  expect_failed_back(instances_.update(admin(), "", iid, in), before, S::Failed);
}

TEST_F(InstanceFailureTest, CompletedOperationsStillApplyWhatWasRequested) {
  const std::string iid = active();
  ASSERT_TRUE(instances_.scale(admin(), "", iid, 6).ok());
  run(completing_, iid);
  EXPECT_EQ(now(iid).configuration.desired_count, 6);
  EXPECT_EQ(now(iid).desired_count, 6);
  EXPECT_EQ(now(iid).running_count, 6);
  UpdateInstanceInput in;
  in.php_version = "8.3";
  ASSERT_TRUE(instances_.update(admin(), "", iid, in).ok());
  EXPECT_EQ(now(iid).configuration.php_version, "8.2");
  run(completing_, iid);
  EXPECT_EQ(now(iid).configuration.php_version, "8.3");
}

}  // namespace
}  // namespace tenantd::service
