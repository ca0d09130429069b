#pragma once
// Instance use cases (docs/instances.md). Every accepted request is one store transaction that
// moves the instance, creates its operation (and backup), and appends the audit entry and outbox
// event. One operation runs per instance: the instance item names it and every write is
// conditioned on the instance's version, so racing requests cannot both start one.
// Progress (from a driver or an external worker) goes through apply_report only.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/ids.hpp"
#include "domain/instance.hpp"
#include "domain/progress_report.hpp"
#include "domain/tenant.hpp"
#include "records/change_log.hpp"
#include "service/context.hpp"
#include "service/policy.hpp"
#include "service/tenant_service.hpp"
#include "store/item_store.hpp"

namespace tenantd::service {

struct EcsReport;

struct InstanceOptions {
  int max_instances_per_tenant = 1;
  std::string environment = "dev";
  std::chrono::hours backup_retention{30 * 24};
  ChangeLogOptions change_log;
};

struct InstanceEvents {
  std::function<void()> committed;          // wakes the outbox dispatcher; may be empty
  std::function<void()> operation_started;  // wakes the provisioner; may be empty
};

// Already type-checked by the API's request decoding; ranges are checked here.
struct CreateInstanceInput {
  domain::Tier tier = domain::Tier::Standard;
  std::optional<std::string> organization_name;
  std::optional<std::string> contact_email;
  std::optional<std::string> opportunity_id;
  std::optional<int> desired_count;
  std::optional<std::string> wordpress_version;
  std::optional<std::string> php_version;
  // The instance plan's environment (lower case): must be this deployment's.
  std::optional<std::string> environment;
};

struct UpdateInstanceInput {
  std::optional<domain::Tier> tier;
  std::optional<int> desired_count;
  std::optional<std::string> wordpress_version;
  std::optional<std::string> php_version;
};

struct BackupInput {
  domain::BackupType type = domain::BackupType::Full;
  std::optional<std::string> label;
};

// What an accepted request started.
struct Accepted {
  // The instance as the operation will leave it once COMPLETED (its requested values); its
  // state and version are the stored ones, which keep their old values until then.
  domain::Instance instance;
  domain::Operation operation;
  std::optional<domain::Backup> backup;
  int previous_count = 0;  // desired count before a scale
};

// What ECS says of the instance's service right now (the `ecs` driver, cached briefly).
struct LiveService {
  int desired_count = 0;
  int running_count = 0;
  int pending_count = 0;
  std::string rollout_state;  // of the primary deployment: IN_PROGRESS, COMPLETED, FAILED
};
// One attempt of a driver to read the live state: the counts, or why it could not.
struct LiveRead {
  std::optional<LiveService> service;
  std::optional<domain::ErrorInfo> error;  // service missing, ECS error, timeout
};
// nullopt: the driver has nothing to read for this instance (not deployed yet, or gone).
using LiveStatusSource = std::function<std::optional<LiveRead>(const domain::Instance&)>;

struct InstanceStatus {
  domain::Instance instance;
  std::optional<domain::Operation> operation;  // the running one
  std::optional<LiveRead> live;                // when the driver reads live state
};

// What became of a progress report.
struct ReportOutcome {
  bool applied = false;
  std::string reason;  // why it was ignored
  domain::Instance instance;
};

// An empty tenant id means a flat /instances/{id} route: the tenant comes from the index item.
class InstanceService {
 public:
  InstanceService(store::ItemStore& store, Ids& ids, InstanceOptions options,
                  InstanceEvents events);

  Result<Accepted> create(const Context& ctx, std::string_view tenant_id,
                          const CreateInstanceInput& input);
  Result<domain::Instance> get(const Context& ctx, std::string_view tenant_id,
                               std::string_view instance_id);
  Result<Page<domain::Instance>> list(const Context& ctx, std::string_view tenant_id,
                                      std::optional<domain::InstanceState> state,
                                      const PageRequest& page);
  Result<InstanceStatus> status(const Context& ctx, std::string_view tenant_id,
                                std::string_view instance_id);
  // A retry when FAILED / WORKFLOW_FAILED, otherwise an UPDATE.
  Result<Accepted> update(const Context& ctx, std::string_view tenant_id,
                          std::string_view instance_id, const UpdateInstanceInput& input);
  Result<Accepted> remove(const Context& ctx, std::string_view tenant_id,
                          std::string_view instance_id);
  Result<Accepted> scale(const Context& ctx, std::string_view tenant_id,
                         std::string_view instance_id, std::int64_t desired_count);
  Result<Accepted> suspend(const Context& ctx, std::string_view tenant_id,
                           std::string_view instance_id);
  Result<Accepted> resume(const Context& ctx, std::string_view tenant_id,
                          std::string_view instance_id);
  Result<Accepted> backup(const Context& ctx, std::string_view tenant_id,
                          std::string_view instance_id, const BackupInput& input);
  Result<Accepted> restore(const Context& ctx, std::string_view tenant_id,
                           std::string_view instance_id, std::string_view backup_id);
  Result<Page<domain::Backup>> list_backups(const Context& ctx, std::string_view tenant_id,
                                            std::string_view instance_id, const PageRequest& page);
  Result<domain::Backup> get_backup(const Context& ctx, std::string_view tenant_id,
                                    std::string_view instance_id, std::string_view backup_id);
  Result<domain::Operation> get_operation(const Context& ctx, std::string_view operation_id);

  // POST /instances/{id}/events: platform admins and the `system` group only.
  Result<ReportOutcome> report(const Context& ctx, std::string_view instance_id,
                               const domain::ProgressReport& report);
  // The one path every progress report takes (drivers call it directly). A report that does not
  // fit the instance's current state or running operation is ignored, so replays are harmless.
  Result<ReportOutcome> apply_report(const Context& ctx, std::string_view instance_id,
                                     const domain::ProgressReport& report);

  // An ECS event already mapped (service/ecs_events.hpp): the instance is the one its tags name,
  // else the tenant's only live instance; anything else is ignored.
  Result<ReportOutcome> apply_ecs_report(const Context& ctx, const EcsReport& ecs);

  // The tenant park / unpark / forced-delete cascade (docs/tenants.md), run inside the tenant's
  // own transaction.
  TenantChangeHook tenant_hook();

  // For drivers, without authorisation: the instance, or nullopt when unknown.
  Result<std::optional<domain::Instance>> find_instance(std::string_view instance_id);
  // For drivers, without authorisation: one page of the running operations, oldest change first;
  // with `changed_by`, only those last changed at or before then.
  Result<Page<domain::Operation>> running_operations(
      const PageRequest& page, std::optional<TimePoint> changed_by = std::nullopt);

  const InstanceOptions& options() const { return options_; }
  // Where status() reads live counts from (the `ecs` driver); set once while wiring.
  void set_live_status(LiveStatusSource source) { live_status_ = std::move(source); }

 private:
  struct Located {
    domain::Tenant tenant;
    domain::Instance instance;
  };
  Result<Located> locate(const Context& ctx, std::string_view tenant_id,
                         std::string_view instance_id, Action action);
  // What a replayed request (service/request_effect.hpp) started before: the operation, its
  // instance as stored now and, for a backup, the backup.
  Result<Accepted> accepted_earlier(const Context& ctx, std::string_view operation_id);
  using Mutation = std::function<Status(domain::Instance&)>;
  Result<Accepted> start(const Context& ctx, const Located& at, domain::InstanceEvent event,
                         domain::OperationType type, const Mutation& mutate, Accepted seed);
  // Builds the writes that start `type` on `before` (instance, operation, change record).
  Result<std::vector<store::WriteOp>> start_ops(const Context& ctx, const domain::Instance& before,
                                                domain::InstanceEvent event,
                                                domain::OperationType type, const Mutation& mutate,
                                                Accepted& accepted, bool forced);
  Result<std::optional<ReportOutcome>> try_apply(const Context& ctx, std::string_view instance_id,
                                                 const domain::ProgressReport& report);
  Result<std::vector<store::WriteOp>> cascade(const Context& ctx, const domain::Tenant* before,
                                              const domain::Tenant& after);
  // Marks the instance's running operation FAILED with SUPERSEDED (the writes; none when idle).
  Result<std::vector<store::WriteOp>> supersede_ops(const Context& ctx, const domain::Instance& i,
                                                    std::string_view why);
  void notify() const;

  store::ItemStore& store_;
  Ids& ids_;
  InstanceOptions options_;
  InstanceEvents events_;
  LiveStatusSource live_status_;
};

}  // namespace tenantd::service
