#include "service/instance_service.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "events/dispatcher.hpp"
#include "provision/simulated_provisioner.hpp"
#include "records/membership_record.hpp"
#include "records/tenant_record.hpp"
#include "service/tenant_service.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace tenantd::service {
namespace {

using domain::InstanceState;
using domain::OperationStatus;
using domain::ProgressReport;
using domain::ReportType;
using domain::TenantStatus;
using S = InstanceState;

constexpr std::chrono::milliseconds kStep{100};

class InstanceServiceTest : public ::testing::Test {
 protected:
  InstanceServiceTest()
      : clock_(TimePoint(std::chrono::milliseconds(1769337000000))),
        store_(store::sqlite::SqliteStore::open(":memory:", "dev", clock_).value()),
        instances_(*store_, ids_, options(), InstanceEvents{}),
        tenants_(*store_, ids_, ChangeLogOptions{}, tenant_events()),
        driver_(instances_, *store_, clock_, kStep, nullptr) {}

  static InstanceOptions options() {
    InstanceOptions o;
    o.max_instances_per_tenant = 1;
    return o;
  }
  TenantEvents tenant_events() {
    TenantEvents e;
    e.hooks.push_back(instances_.tenant_hook());
    return e;
  }

  Context as(std::string sub, std::vector<std::string> groups = {}) const {
    return Context{Principal{sub, sub + "@example.com", std::move(groups)}, "req-1", clock_.now(),
                   std::nullopt};
  }
  Context admin() const { return as("user-admin", {"platform-admins"}); }

  std::string tenant(std::string name = "Acme Ltd") {
    CreateTenantInput in;
    in.organization_name = std::move(name);
    in.contact_email = "owner@example.com";
    return tenants_.create(admin(), in).value().tenant_id;
  }
  void member(const std::string& tenant_id, const std::string& user, TenantRole role) {
    records::Membership m;
    m.tenant_id = tenant_id;
    m.user_id = user;
    m.email = user + "@example.com";
    m.role = role;
    m.assigned_at = clock_.now();
    m.assigned_by = "admin";
    ASSERT_TRUE(store_
                    ->write({store::Put{store::Table::Tenants, records::membership_item(m),
                                        store::Condition::none()}})
                    .ok());
  }
  domain::Tenant tenant_now(const std::string& tid) { return tenants_.get(admin(), tid).value(); }
  domain::Instance instance_now(const std::string& iid) {
    return instances_.get(admin(), "", iid).value();
  }
  // Steps the simulated driver until the instance rests; returns every state it passed.
  std::vector<S> run_to_rest(const std::string& iid) {
    std::vector<S> seen = {instance_now(iid).state};
    for (int i = 0; i < 20 && !domain::is_resting(seen.back()); ++i) {
      clock_.advance(kStep);
      EXPECT_TRUE(driver_.step_due().ok());
      seen.push_back(instance_now(iid).state);
    }
    return seen;
  }
  // A tenant with one ACTIVE instance.
  std::pair<std::string, std::string> active_instance() {
    const std::string tid = tenant();
    auto accepted = instances_.create(admin(), tid, CreateInstanceInput{});
    EXPECT_TRUE(accepted.ok());
    run_to_rest(accepted->instance.instance_id);
    return {tid, accepted->instance.instance_id};
  }

  ManualClock clock_;
  SequentialIds ids_;
  std::unique_ptr<store::ItemStore> store_;
  InstanceService instances_;
  TenantService tenants_;
  provision::SimulatedProvisioner driver_;
};

TEST_F(InstanceServiceTest, FullLifeWithTheSimulatedDriver) {
  const std::string tid = tenant();
  auto created = instances_.create(admin(), tid, CreateInstanceInput{});
  ASSERT_TRUE(created.ok()) << created.error().message;
  const std::string iid = created->instance.instance_id;
  EXPECT_EQ(created->instance.state, S::PendingProvisioning);
  EXPECT_EQ(tenant_now(tid).instance_count, 1);
  // The operation is readable at once.
  auto op = instances_.get_operation(admin(), created->operation.operation_id);
  ASSERT_TRUE(op.ok());
  EXPECT_EQ(op->status, OperationStatus::Pending);

  const std::vector<S> path = {S::PendingProvisioning, S::Committing,   S::WorkflowQueued,
                               S::WorkflowRunning,     S::Provisioning, S::Active};
  EXPECT_EQ(run_to_rest(iid), path);
  op = instances_.get_operation(admin(), created->operation.operation_id);
  EXPECT_EQ(op->status, OperationStatus::Completed);
  EXPECT_EQ(op->progress, 100);
  EXPECT_TRUE(op->completed_at);
  EXPECT_EQ(tenant_now(tid).status, TenantStatus::Active);  // first instance activates
  EXPECT_EQ(instance_now(iid).running_count, 2);

  auto scaled = instances_.scale(admin(), "", iid, 5);
  ASSERT_TRUE(scaled.ok());
  EXPECT_EQ(scaled->previous_count, 2);
  EXPECT_EQ(run_to_rest(iid), (std::vector<S>{S::Scaling, S::Active}));
  EXPECT_EQ(instance_now(iid).running_count, 5);

  ASSERT_TRUE(instances_.suspend(admin(), "", iid).ok());
  EXPECT_EQ(run_to_rest(iid), (std::vector<S>{S::Suspending, S::Suspended}));
  EXPECT_EQ(instance_now(iid).desired_count, 0);
  EXPECT_EQ(instance_now(iid).suspended_by, "USER");

  ASSERT_TRUE(instances_.resume(admin(), tid, iid).ok());
  EXPECT_EQ(run_to_rest(iid), (std::vector<S>{S::Resuming, S::Active}));
  EXPECT_EQ(instance_now(iid).desired_count, 5);  // the count from before the suspension
  EXPECT_EQ(instance_now(iid).running_count, 5);

  auto backup = instances_.backup(admin(), "", iid, BackupInput{});
  ASSERT_TRUE(backup.ok());
  ASSERT_TRUE(backup->backup);
  const std::string bid = backup->backup->backup_id;
  EXPECT_EQ(backup->operation.backup_id, bid);
  EXPECT_EQ(run_to_rest(iid), (std::vector<S>{S::BackingUp, S::Active}));
  auto b = instances_.get_backup(admin(), "", iid, bid);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->status, domain::BackupStatus::Completed);
  EXPECT_TRUE(b->size_bytes && b->location && b->checksum);

  ASSERT_TRUE(instances_.restore(admin(), "", iid, bid).ok());
  EXPECT_EQ(run_to_rest(iid), (std::vector<S>{S::Restoring, S::Active}));

  auto removed = instances_.remove(admin(), "", iid);
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(run_to_rest(iid),
            (std::vector<S>{S::PendingDeprovisioning, S::Deprovisioning, S::Deprovisioned}));
  EXPECT_EQ(tenant_now(tid).instance_count, 0);
  // The quota is free again.
  EXPECT_TRUE(instances_.create(admin(), tid, CreateInstanceInput{}).ok());
}

TEST_F(InstanceServiceTest, BackupOfASuspendedInstanceReturnsToSuspended) {
  auto [tid, iid] = active_instance();
  ASSERT_TRUE(instances_.suspend(admin(), "", iid).ok());
  run_to_rest(iid);
  ASSERT_TRUE(instances_.backup(admin(), "", iid, BackupInput{}).ok());
  EXPECT_EQ(run_to_rest(iid), (std::vector<S>{S::BackingUp, S::Suspended}));
}

TEST_F(InstanceServiceTest, InstanceEventsNameTheirInstanceAtTheTopOfDetail) {
  auto [tid, iid] = active_instance();
  const auto pending = events::list_outbox(*store_, "PENDING", 1000).value();
  int instance_events = 0;
  for (const auto& event : pending) {
    if (event.source != events::kInstanceSource) {
      continue;
    }
    ++instance_events;
    const auto detail = parse_json(event.detail_json);
    ASSERT_TRUE(detail && detail->HasMember("instanceId")) << event.detail_type;
    EXPECT_EQ(as_view((*detail)["instanceId"]), iid) << event.detail_type;
  }
  EXPECT_GE(instance_events, 3);  // requested, state changes, operation completed
}

TEST_F(InstanceServiceTest, OneOperationAtATime) {
  auto [tid, iid] = active_instance();
  ASSERT_TRUE(instances_.scale(admin(), "", iid, 3).ok());
  auto second = instances_.suspend(admin(), "", iid);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::OperationInProgress);
}

TEST_F(InstanceServiceTest, RacingRequestsStartExactlyOneOperation) {
  const std::string iid = active_instance().second;  // lambdas cannot capture bindings (C++20)
  std::atomic<int> accepted{0};
  std::atomic<int> busy{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      auto r = instances_.scale(admin(), "", iid, 3 + i % 5);
      if (r.ok()) {
        ++accepted;
      } else if (r.error().code == ErrorCode::OperationInProgress ||
                 r.error().code == ErrorCode::VersionConflict) {
        ++busy;
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(accepted.load(), 1);
  EXPECT_EQ(busy.load(), 7);
}

TEST_F(InstanceServiceTest, QuotaHoldsUnderRacingCreates) {
  const std::string tid = tenant();
  std::atomic<int> accepted{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&] {
      auto r = instances_.create(admin(), tid, CreateInstanceInput{});
      if (r.ok()) {
        ++accepted;
      } else if (r.error().code == ErrorCode::InstanceExists ||
                 r.error().code == ErrorCode::VersionConflict) {
        ++refused;
      } else {
        ADD_FAILURE() << r.error().message;
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  EXPECT_EQ(accepted.load(), 1);
  EXPECT_EQ(refused.load(), 5);
  EXPECT_EQ(tenant_now(tid).instance_count, 1);
}

TEST_F(InstanceServiceTest, ScaleOutsideTwoToTenIsRefusedAndNothingChanges) {
  auto [tid, iid] = active_instance();
  for (const std::int64_t n : {1, 11, 0, -3}) {
    auto r = instances_.scale(admin(), "", iid, n);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, ErrorCode::ScaleLimitExceeded);
  }
  EXPECT_EQ(instance_now(iid).state, S::Active);
  EXPECT_EQ(instance_now(iid).version, instance_now(iid).version);
  EXPECT_TRUE(instances_.scale(admin(), "", iid, 10).ok());
}

TEST_F(InstanceServiceTest, WritesNeedAnActiveTenantButDeleteDoesNot) {
  auto [tid, iid] = active_instance();
  ASSERT_TRUE(
      tenants_.apply(admin(), tid, domain::TenantAction::Suspend, std::string("unpaid invoices"))
          .ok());
  auto r = instances_.scale(admin(), "", iid, 3);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::TenantNotActive);
  EXPECT_TRUE(instances_.remove(admin(), "", iid).ok());
}

TEST_F(InstanceServiceTest, BackupQuotaAndRestoreRules) {
  const auto [tid_binding, iid] = active_instance();
  const std::string tid = tid_binding;  // captured by a lambda below
  auto pending = instances_.backup(admin(), "", iid, BackupInput{});
  ASSERT_TRUE(pending.ok());
  const std::string first = pending->backup->backup_id;
  // A backup still running cannot be restored (and blocks other operations anyway).
  run_to_rest(iid);
  for (int i = 1; i < domain::kMaxBackupsPerInstance; ++i) {
    ASSERT_TRUE(instances_.backup(admin(), "", iid, BackupInput{}).ok()) << i;
    run_to_rest(iid);
  }
  auto over = instances_.backup(admin(), "", iid, BackupInput{});
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().code, ErrorCode::QuotaExceeded);

  auto page = instances_.list_backups(admin(), "", iid, PageRequest{4, std::nullopt});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->items.size(), 4U);
  EXPECT_TRUE(page->next);

  // Another instance's backup is not found through this one.
  ASSERT_TRUE(store_
                  ->write({store::Put{store::Table::Tenants,
                                      [&] {
                                        auto t = tenant_now(tid);
                                        t.instance_count = 0;  // room for a second instance
                                        t.version += 1;
                                        return records::tenant_item(t);
                                      }(),
                                      store::Condition::none()}})
                  .ok());
  auto other = instances_.create(admin(), tid, CreateInstanceInput{});
  ASSERT_TRUE(other.ok());
  run_to_rest(other->instance.instance_id);
  auto foreign = instances_.restore(admin(), "", other->instance.instance_id, first);
  ASSERT_FALSE(foreign.ok());
  EXPECT_EQ(foreign.error().code, ErrorCode::BackupNotFound);
}

TEST_F(InstanceServiceTest, RestoreNeedsACompletedBackup) {
  auto [tid, iid] = active_instance();
  auto b = instances_.backup(admin(), "", iid, BackupInput{});
  ASSERT_TRUE(b.ok());
  // Fail the backup through a report: the backup is FAILED and not counted.
  ProgressReport failed;
  failed.type = ReportType::OperationFailed;
  failed.error = domain::ErrorInfo{"BACKUP_TASK_FAILED", "exit code 1", std::nullopt};
  auto outcome = instances_.apply_report(admin(), iid, failed);
  ASSERT_TRUE(outcome.ok());
  EXPECT_TRUE(outcome->applied);
  EXPECT_EQ(instance_now(iid).state, S::Active);
  EXPECT_EQ(instance_now(iid).backup_count, 0);
  EXPECT_EQ(instance_now(iid).last_error->code, "BACKUP_TASK_FAILED");
  auto r = instances_.restore(admin(), "", iid, b->backup->backup_id);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::InvalidStatusTransition);
  auto missing = instances_.restore(admin(), "", iid, "bkp-00000000-0000-4000-8000-000000009999");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::BackupNotFound);
}

TEST_F(InstanceServiceTest, ReportsOutOfOrderOrReplayedAreIgnored) {
  const std::string tid = tenant();
  auto created = instances_.create(admin(), tid, CreateInstanceInput{});
  ASSERT_TRUE(created.ok());
  const std::string iid = created->instance.instance_id;
  ProgressReport jump;
  jump.type = ReportType::StateChanged;
  jump.state = S::Active;  // skips four steps
  auto r = instances_.apply_report(admin(), iid, jump);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->applied);
  EXPECT_EQ(instance_now(iid).state, S::PendingProvisioning);

  ProgressReport commit;
  commit.type = ReportType::StateChanged;
  commit.state = S::Committing;
  commit.operation_id = created->operation.operation_id;
  EXPECT_TRUE(instances_.apply_report(admin(), iid, commit)->applied);
  const auto version = instance_now(iid).version;
  EXPECT_FALSE(instances_.apply_report(admin(), iid, commit)->applied);  // replay
  EXPECT_EQ(instance_now(iid).version, version);

  ProgressReport stale = commit;
  stale.state = S::WorkflowQueued;
  stale.operation_id = "op-00000000-0000-4000-8000-000000000999";
  EXPECT_FALSE(instances_.apply_report(admin(), iid, stale)->applied);
}

TEST_F(InstanceServiceTest, FirstInstanceFailingFailsThePendingTenantAndRetryWorks) {
  const std::string tid = tenant();
  auto created = instances_.create(admin(), tid, CreateInstanceInput{});
  ASSERT_TRUE(created.ok());
  const std::string iid = created->instance.instance_id;
  ProgressReport fail;
  fail.type = ReportType::StateChanged;
  fail.state = S::WorkflowFailed;
  fail.error = domain::ErrorInfo{"WORKFLOW_FAILED", "terraform apply failed", std::nullopt};
  ASSERT_TRUE(instances_.apply_report(admin(), iid, fail)->applied);
  EXPECT_EQ(instance_now(iid).state, S::WorkflowFailed);
  EXPECT_EQ(tenant_now(tid).status, TenantStatus::Failed);
  auto op = instances_.get_operation(admin(), created->operation.operation_id);
  EXPECT_EQ(op->status, OperationStatus::Failed);
  EXPECT_EQ(op->error->message, "terraform apply failed");

  // A FAILED tenant takes no retry until it is PENDING again.
  auto refused = instances_.update(admin(), "", iid, UpdateInstanceInput{});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::TenantNotActive);
  ASSERT_TRUE(tenants_.set_status(admin(), tid, TenantStatus::Pending, std::nullopt).ok());
  auto retry = instances_.update(admin(), "", iid, UpdateInstanceInput{});
  ASSERT_TRUE(retry.ok()) << retry.error().message;
  EXPECT_EQ(retry->operation.type, domain::OperationType::Provision);
  EXPECT_EQ(run_to_rest(iid).back(), S::Active);
  EXPECT_EQ(tenant_now(tid).status, TenantStatus::Active);
  EXPECT_FALSE(instance_now(iid).last_error);
}

TEST_F(InstanceServiceTest, OtherTenantsSeeNothingAndViewersCannotOperate) {
  auto [tid, iid] = active_instance();
  const std::string other = tenant("Other Org");
  member(other, "user-out", TenantRole::Admin);
  member(tid, "user-viewer", TenantRole::Viewer);
  const Context outsider = as("user-out");
  auto get = instances_.get(outsider, "", iid);
  ASSERT_FALSE(get.ok());
  EXPECT_EQ(get.error().code, ErrorCode::InstanceNotFound);
  auto scale = instances_.scale(outsider, "", iid, 3);
  EXPECT_EQ(scale.error().code, ErrorCode::InstanceNotFound);
  auto nested = instances_.get(outsider, other, iid);  // own tenant, foreign instance
  EXPECT_EQ(nested.error().code, ErrorCode::InstanceNotFound);
  auto status = instances_.status(admin(), "", iid);
  ASSERT_TRUE(status.ok());
  auto ops = instances_.backup(admin(), "", iid, BackupInput{});
  ASSERT_TRUE(ops.ok());
  EXPECT_EQ(instances_.get_operation(outsider, ops->operation.operation_id).error().code,
            ErrorCode::OperationNotFound);
  EXPECT_EQ(instances_.list_backups(outsider, "", iid, PageRequest{}).error().code,
            ErrorCode::InstanceNotFound);

  const Context viewer = as("user-viewer");
  EXPECT_TRUE(instances_.get(viewer, "", iid).ok());
  EXPECT_TRUE(instances_.get_operation(viewer, ops->operation.operation_id).ok());
  EXPECT_EQ(instances_.suspend(viewer, "", iid).error().code, ErrorCode::Forbidden);
  ProgressReport r;
  r.type = ReportType::OperationCompleted;
  EXPECT_EQ(instances_.report(viewer, iid, r).error().code, ErrorCode::InstanceNotFound);
  EXPECT_TRUE(instances_.report(as("worker", {"system"}), iid, r)->applied);
}

TEST_F(InstanceServiceTest, ParkSuspendsRunningInstancesAndUnparkResumesExactlyThose) {
  auto [tid, iid] = active_instance();
  ASSERT_TRUE(
      tenants_.apply(admin(), tid, domain::TenantAction::Park, std::string("seasonal business"))
          .ok());
  auto parked = instance_now(iid);
  EXPECT_EQ(parked.state, S::Suspending);
  EXPECT_EQ(parked.suspended_by, "PARK");
  EXPECT_EQ(run_to_rest(iid).back(), S::Suspended);
  ASSERT_TRUE(tenants_.apply(admin(), tid, domain::TenantAction::Unpark, std::nullopt).ok());
  EXPECT_EQ(instance_now(iid).state, S::Resuming);
  EXPECT_EQ(run_to_rest(iid).back(), S::Active);
  EXPECT_EQ(instance_now(iid).running_count, 2);
  EXPECT_FALSE(instance_now(iid).suspended_by);
}

TEST_F(InstanceServiceTest, UnparkLeavesUserSuspendedInstancesAlone) {
  auto [tid, iid] = active_instance();
  ASSERT_TRUE(instances_.suspend(admin(), "", iid).ok());
  run_to_rest(iid);
  ASSERT_TRUE(
      tenants_.apply(admin(), tid, domain::TenantAction::Park, std::string("seasonal business"))
          .ok());
  EXPECT_EQ(instance_now(iid).state, S::Suspended);
  ASSERT_TRUE(tenants_.apply(admin(), tid, domain::TenantAction::Unpark, std::nullopt).ok());
  EXPECT_EQ(instance_now(iid).state, S::Suspended);
  EXPECT_EQ(instance_now(iid).suspended_by, "USER");
}

TEST_F(InstanceServiceTest, UnparkSupersedesTheParkSuspensionAndLeavesADeletionAlone) {
  auto [tid, iid] = active_instance();
  ASSERT_TRUE(
      tenants_.apply(admin(), tid, domain::TenantAction::Park, std::string("seasonal business"))
          .ok());
  EXPECT_EQ(instance_now(iid).state, S::Suspending);
  // Issue 15: unpark at once is accepted; the resume supersedes the running suspension.
  auto early = tenants_.apply(admin(), tid, domain::TenantAction::Unpark, std::nullopt);
  ASSERT_TRUE(early.ok()) << early.error().message;
  EXPECT_EQ(tenant_now(tid).status, TenantStatus::Active);
  EXPECT_EQ(instance_now(iid).state, S::Resuming);
  EXPECT_EQ(run_to_rest(iid).back(), S::Active);
  ASSERT_TRUE(
      tenants_.apply(admin(), tid, domain::TenantAction::Park, std::string("seasonal business"))
          .ok());
  run_to_rest(iid);
  EXPECT_EQ(instance_now(iid).state, S::Suspended);
  // Deleting is allowed in a parked tenant; the unpark then leaves that instance alone.
  ASSERT_TRUE(instances_.remove(admin(), "", iid).ok());
  ASSERT_TRUE(tenants_.apply(admin(), tid, domain::TenantAction::Unpark, std::nullopt).ok());
  EXPECT_EQ(instance_now(iid).state, S::PendingDeprovisioning);
  EXPECT_EQ(run_to_rest(iid).back(), S::Deprovisioned);
}

TEST_F(InstanceServiceTest, ParkWhileAnOperationRunsIsRefusedWhole) {
  auto [tid, iid] = active_instance();
  ASSERT_TRUE(instances_.scale(admin(), "", iid, 4).ok());
  auto r = tenants_.apply(admin(), tid, domain::TenantAction::Park, std::string("seasonal break"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::OperationInProgress);
  EXPECT_EQ(tenant_now(tid).status, TenantStatus::Active);
  EXPECT_EQ(instance_now(iid).state, S::Scaling);
}

TEST_F(InstanceServiceTest, TenantDeleteNeedsForceAndForceDeprovisions) {
  auto [tid, iid] = active_instance();
  auto plain = tenants_.deprovision(admin(), tid, false);
  ASSERT_FALSE(plain.ok());
  EXPECT_EQ(plain.error().code, ErrorCode::InvalidStatusTransition);
  EXPECT_EQ(instance_now(iid).state, S::Active);
  ASSERT_TRUE(instances_.scale(admin(), "", iid, 4).ok());  // overtaken by the delete
  const auto scale_op = instance_now(iid).current_operation_id.value();
  ASSERT_TRUE(tenants_.deprovision(admin(), tid, true).ok());
  EXPECT_EQ(instance_now(iid).state, S::PendingDeprovisioning);
  EXPECT_EQ(instances_.get_operation(admin(), scale_op)->status, OperationStatus::Failed);
  EXPECT_EQ(run_to_rest(iid).back(), S::Deprovisioned);
  EXPECT_EQ(tenant_now(tid).instance_count, 0);
  EXPECT_EQ(tenant_now(tid).status, TenantStatus::Deprovisioned);
}

TEST_F(InstanceServiceTest, ListFiltersByState) {
  auto [tid, iid] = active_instance();
  auto all = instances_.list(admin(), tid, std::nullopt, PageRequest{});
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->items.size(), 1U);
  EXPECT_EQ(all->items[0].instance_id, iid);
  EXPECT_TRUE(instances_.list(admin(), tid, S::Suspended, PageRequest{})->items.empty());
}

}  // namespace
}  // namespace tenantd::service
