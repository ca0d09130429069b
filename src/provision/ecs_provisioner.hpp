#pragma once
// `ecs` driver (docs/instances.md#drivers): carries out scale, suspend, resume, backup and restore
// on the tenant's ECS service `tenant-{tenantId}-wordpress` in the environment's cluster, and
// reports through InstanceService::apply_report like every other reporter. Create, update and
// delete are not ECS calls (they belong to `gitops`); this driver leaves those operations alone, so
// a combined driver can hand them to another one (handles()).
//
// Running operations are found through their index (as the simulated driver does). Each pass
// makes the service converge on the instance's desired count (UpdateService, then
// DescribeServices until running == desired) or starts the backup / restore task once (RunTask,
// found again by startedBy) and polls it until it STOPPED; in Lambda the task's
// `ECS Task State Change` event usually ends it first. Every ECS error ends the operation FAILED
// with the error's code, message and retryable flag, except while polling a task already
// started, which keeps until the timeout.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "aws/ecs_client.hpp"
#include "core/clock.hpp"
#include "core/periodic_task.hpp"
#include "provision/provisioner.hpp"
#include "service/instance_service.hpp"
#include "store/item_store.hpp"

namespace tenantd::obs {
class Logger;
}  // namespace tenantd::obs

namespace tenantd::provision {

struct EcsSettings {
  std::string environment = "dev";
  std::string cluster;                    // ECS_CLUSTER; bbws-cluster-{env} when empty
  std::string backup_task_definition;     // BACKUP_TASK_DEFINITION
  std::string restore_task_definition;    // RESTORE_TASK_DEFINITION
  std::string task_container = "backup";  // ECS_TASK_CONTAINER: the container overridden
  std::string backup_bucket;              // BACKUP_BUCKET; bbws-backups-{env} when empty
  std::string launch_type = "FARGATE";
  std::vector<std::string> subnets;  // ECS_TASK_SUBNETS (awsvpc), optional
  std::vector<std::string> security_groups;
  std::chrono::milliseconds poll{5000};        // between passes of the background thread
  std::chrono::seconds timeout{30 * 60};       // an operation still running then is FAILED
  std::chrono::milliseconds status_ttl{5000};  // GET /instances/{id}/status cache
};

class EcsProvisioner final : public Provisioner {
 public:
  EcsProvisioner(service::InstanceService& instances, store::ItemStore& store, const Clock& clock,
                 std::unique_ptr<aws::EcsClient> ecs, EcsSettings settings,
                 const obs::Logger* logger);
  ~EcsProvisioner() override;

  // The operation types this driver carries out.
  static bool handles(domain::OperationType type);

  std::string_view name() const override { return "ecs"; }
  void wake() override;
  void start() override;
  void stop() override;
  // One pass over the running operations this driver handles; how many reports were applied.
  Result<std::size_t> run_once() override;
  Result<std::size_t> run_if_woken() override;

  // Live counts of the instance's service for GET /instances/{id}/status, cached status_ttl:
  // the counts, or why ECS could not give them (service missing, an ECS error, a timeout);
  // nullopt when there is no service to ask about (still provisioning, or deprovisioned).
  std::optional<service::LiveRead> live_status(const domain::Instance& instance);

  std::string service_name(const domain::Instance& instance) const;
  const std::string& cluster() const { return settings_.cluster; }

 private:
  // The report for `op` now, or nullopt while it is still under way.
  std::optional<domain::ProgressReport> step(const domain::Instance& instance,
                                             const domain::Operation& op, TimePoint now);
  std::optional<domain::ProgressReport> converge(const domain::Instance& instance,
                                                 const domain::Operation& op, TimePoint now);
  std::optional<domain::ProgressReport> run_task(const domain::Instance& instance,
                                                 const domain::Operation& op, TimePoint now);
  std::optional<domain::ProgressReport> start_task(const domain::Instance& instance,
                                                   const domain::Operation& op);
  std::optional<domain::ProgressReport> timed_out(const domain::Operation& op, TimePoint now,
                                                  const std::string& waiting_for) const;
  void pass();

  service::InstanceService& instances_;
  store::ItemStore& store_;
  const Clock& clock_;
  std::unique_ptr<aws::EcsClient> ecs_;
  EcsSettings settings_;
  const obs::Logger* logger_;

  std::mutex status_mutex_;
  struct Cached {
    TimePoint at;
    service::LiveRead live;
  };
  std::map<std::string, Cached, std::less<>> status_cache_;

  std::atomic<bool> woken_{false};  // an operation was accepted since the last pass
  // Last: stopped (by its destructor) before the members its passes use go away.
  PeriodicTask loop_;
};

// The ECS error as an operation's error.
domain::ProgressReport failed_report(const Error& error);

}  // namespace tenantd::provision
