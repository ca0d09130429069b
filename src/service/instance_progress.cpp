// Progress reports (docs/instances.md#progress-reports): the one path by which drivers, external
// workers and ECS events move a running operation forward. Reports that do not fit are ignored,
// never applied out of order, so a replay changes nothing.
#include "core/json.hpp"
#include "events/outbox_event.hpp"
#include "records/instance_record.hpp"
#include "records/tenant_record.hpp"
#include "service/ecs_events.hpp"
#include "service/instance_rules.hpp"
#include "service/instance_service.hpp"
#include "service/retry.hpp"

namespace tenantd::service {

using domain::Instance;
using domain::InstanceEvent;
using domain::InstanceState;
using domain::Operation;
using domain::OperationStatus;
using domain::ProgressReport;
using domain::ReportType;
using domain::TenantStatus;

namespace {

// Racing writers (a request, another report) are retried this often before giving up.
constexpr int kAttempts = 5;

ReportOutcome ignored(Instance instance, std::string reason) {
  return ReportOutcome{false, std::move(reason), std::move(instance)};
}

// The event a report asks for in `instance`'s current state; nullopt when it does not fit.
std::optional<InstanceEvent> event_for(const Instance& instance, const ProgressReport& report) {
  const InstanceState before_op = instance.state_before_operation.value_or(instance.state);
  switch (report.type) {
    case ReportType::StateChanged: {
      if (!report.state) {
        return std::nullopt;
      }
      InstanceState target = *report.state;
      if (target == InstanceState::Failed) {
        return InstanceEvent::Fail;
      }
      if (target == InstanceState::WorkflowFailed) {
        return InstanceEvent::FailWorkflow;
      }
      // A service at steady state with nothing to run is suspended
      // (docs/instances.md#progress-reports).
      if (target == InstanceState::Active && instance.desired_count == 0 &&
          instance.state != InstanceState::Deprovisioning) {
        target = InstanceState::Suspended;
      }
      return domain::progress_event_for(instance.state, target, before_op);
    }
    case ReportType::OperationCompleted:
      return InstanceEvent::Complete;
    case ReportType::OperationFailed:
      return report.state == InstanceState::WorkflowFailed ? InstanceEvent::FailWorkflow
                                                           : InstanceEvent::Fail;
  }
  return std::nullopt;
}

std::string state_change(const Instance& instance, const std::optional<std::string>& op_id) {
  JsonWriter out;
  out.begin_object()
      .field("instanceId", instance.instance_id)
      .field("state", domain::to_string(instance.state))
      .field("operationId", op_id)
      .end_object();
  return out.str();
}

std::string tenant_status_object(TenantStatus status) {
  JsonWriter out;
  out.begin_object().field("status", domain::to_string(status)).end_object();
  return out.str();
}

}  // namespace

Result<ReportOutcome> InstanceService::report(const Context& ctx, std::string_view instance_id,
                                              const ProgressReport& report) {
  if (!ctx.principal.platform_admin() && !ctx.principal.system()) {
    // Others may not know whether the instance exists.
    return instance_not_found(instance_id);
  }
  return apply_report(ctx, instance_id, report);
}

Result<ReportOutcome> InstanceService::apply_report(const Context& ctx,
                                                    std::string_view instance_id,
                                                    const ProgressReport& report) {
  return retry_on_conflict<ReportOutcome>(
      kAttempts, [&] { return try_apply(ctx, instance_id, report); },
      [] {
        return Error::make(
            ErrorCode::VersionConflict,
            "The instance kept changing while the report was applied; send it again");
      });
}

namespace {

// The backup a Backup operation writes, marked IN_PROGRESS; none for other operations or when
// its item is gone.
Result<std::optional<domain::Backup>> backup_in_progress(store::ItemStore& store,
                                                         const Instance& before,
                                                         const Operation& op) {
  if (!op.backup_id || op.type != domain::OperationType::Backup) {
    return std::optional<domain::Backup>{};
  }
  TENANTD_TRY_ASSIGN(auto item, store.get(store::Table::Instances,
                                          records::backup_key(before.tenant_id, before.instance_id,
                                                              *op.backup_id)));
  if (!item.has_value()) {
    return std::optional<domain::Backup>{};
  }
  TENANTD_TRY_ASSIGN(domain::Backup backup, records::backup_from_item(*item));
  backup.status = domain::BackupStatus::InProgress;
  return std::optional<domain::Backup>(std::move(backup));
}

// The tenant follows its instances: the first one ACTIVE activates a PENDING tenant, its
// failure fails it, and a deprovisioned instance no longer counts. Adds the tenant's writes to
// `ops`.
Status tenant_follows(store::ItemStore& store, Ids& ids, const ChangeLogOptions& change_log,
                      const Context& ctx, const std::string& tenant_id, bool provisioned, bool gone,
                      bool failed, std::vector<store::WriteOp>& ops) {
  TENANTD_TRY_ASSIGN(auto tenant_item_read,
                     store.get(store::Table::Tenants, records::tenant_key(tenant_id)));
  if (!tenant_item_read.has_value()) {
    return {};
  }
  TENANTD_TRY_ASSIGN(const domain::Tenant tenant, records::tenant_from_item(*tenant_item_read));
  domain::Tenant t = tenant;
  std::optional<std::string> tenant_event;
  if (provisioned && t.status == TenantStatus::Pending) {
    t.status = failed ? TenantStatus::Failed : TenantStatus::Active;
    tenant_event = failed ? "TENANT_FAILED" : "TENANT_ACTIVATED";
    t.updated_at = ctx.now;
    t.updated_by = actor_of(ctx);
  }
  if (gone) {
    t.instance_count = std::max<std::int64_t>(0, t.instance_count - 1);
  }
  if (tenant_event || gone) {
    t.version = tenant.version + 1;
    ops.emplace_back(store::Put{store::Table::Tenants, records::tenant_item(t),
                                store::Condition::version_is(tenant.version)});
  }
  if (tenant_event) {
    records::record_change(ops, ctx, ids, change_log,
                           records::Change{*tenant_event, events::kTenantSource, t.tenant_id,
                                           tenant_status_object(tenant.status),
                                           tenant_status_object(t.status), std::nullopt});
  }
  return {};
}

// The instance's running operation, which its item names.
Result<Operation> running_operation(store::ItemStore& store, const Instance& instance) {
  auto item =
      store.get(store::Table::Instances, records::operation_key(*instance.current_operation_id));
  if (!item) {
    return std::move(item).error();
  }
  if (!item->has_value()) {
    return Error::make(ErrorCode::InternalError, "running operation is missing");
  }
  return records::operation_from_item(**item);
}

// A report that ends the operation: COMPLETED gives the instance what was requested, FAILED
// leaves it as it was; a backup the operation writes ends with it.
void finish_operation(Instance& after, Operation& op, std::optional<domain::Backup>& backup,
                      bool failed, const ProgressReport& report, TimePoint now) {
  op.status = failed ? OperationStatus::Failed : OperationStatus::Completed;
  op.completed_at = now;
  if (!failed) {
    // Only a COMPLETED operation gives the instance what was requested (docs/instances.md).
    op.progress = 100;
    after = domain::as_requested(std::move(after), op);
    after.last_error.reset();
    settle(after);
  } else {
    // A failed one leaves every field as it was, apart from the state it returns to and
    // lastError; the requested values stay on the operation.
    op.error = report.error.value_or(
        domain::ErrorInfo{"OPERATION_FAILED", "The provisioner reported a failure", std::nullopt});
    after.last_error = op.error;
    if (op.type == domain::OperationType::Suspend) {
      after.suspended_by.reset();  // set when accepted; a suspension starts from ACTIVE
    }
  }
  after.current_operation_id.reset();
  after.state_before_operation.reset();
  if (backup) {
    backup->status = failed ? domain::BackupStatus::Failed : domain::BackupStatus::Completed;
    backup->completed_at = now;
    if (failed) {
      after.backup_count = std::max(0, after.backup_count - 1);  // failed ones are not kept
    } else if (report.backup) {
      backup->size_bytes = report.backup->size_bytes;
      backup->location = report.backup->location;
      backup->checksum = report.backup->checksum;
    }
  }
}

// The instance, its operation and its backup (one version on), each under the version read.
std::vector<store::WriteOp> versioned_writes(const Instance& before, const Instance& after,
                                             const Operation& op_before, const Operation& op,
                                             std::optional<domain::Backup>& backup) {
  std::vector<store::WriteOp> ops;
  ops.emplace_back(store::Put{store::Table::Instances, records::instance_item(after),
                              store::Condition::version_is(before.version)});
  ops.emplace_back(store::Put{store::Table::Instances, records::operation_item(op),
                              store::Condition::version_is(op_before.version)});
  if (backup) {
    const std::int64_t backup_version = backup->version;
    backup->version += 1;
    ops.emplace_back(store::Put{store::Table::Instances, records::backup_item(*backup),
                                store::Condition::version_is(backup_version)});
  }
  return ops;
}

}  // namespace

Result<std::optional<ReportOutcome>> InstanceService::try_apply(const Context& ctx,
                                                                std::string_view instance_id,
                                                                const ProgressReport& report) {
  auto found = find_instance(instance_id);
  if (!found) {
    return std::move(found).error();
  }
  if (!found->has_value()) {
    return instance_not_found(instance_id);
  }
  const Instance before = std::move(**found);
  if (report.operation_id && report.operation_id != before.current_operation_id) {
    return std::optional<ReportOutcome>(ignored(
        before, "operation " + *report.operation_id + " is not the instance's running operation"));
  }
  if (!before.current_operation_id) {
    return std::optional<ReportOutcome>(ignored(before, "no operation is running"));
  }
  TENANTD_TRY_ASSIGN(Operation op, running_operation(store_, before));
  const Operation op_before = op;
  // Judged against what the operation asked for (a suspension's count of 0, say).
  const auto event = event_for(domain::as_requested(before, op), report);
  const auto target = event ? domain::instance_transition(before.state, *event) : std::nullopt;
  if (!target) {
    return std::optional<ReportOutcome>(ignored(
        before, "the report does not fit state " + std::string(domain::to_string(before.state))));
  }

  Instance after = before;
  const InstanceState started_from = before.state_before_operation.value_or(before.state);
  after.state = domain::resolve(*target, started_from);
  after.version = before.version + 1;
  after.updated_at = ctx.now;
  const bool failed = *event == InstanceEvent::Fail || *event == InstanceEvent::FailWorkflow;
  const bool finished = failed || domain::is_resting(after.state);

  const int steps = domain::operation_steps(op.type);
  op.status = OperationStatus::InProgress;
  op.current_step = std::string(domain::to_string(after.state));
  op.progress = std::min(99, op.progress + (100 + steps - 1) / steps);
  op.updated_at = ctx.now;
  op.version = op_before.version + 1;
  TENANTD_TRY_ASSIGN(std::optional<domain::Backup> backup, backup_in_progress(store_, before, op));
  if (finished) {
    finish_operation(after, op, backup, failed, report, ctx.now);
  }

  std::vector<store::WriteOp> ops = versioned_writes(before, after, op_before, op, backup);
  records::record_change(
      ops, ctx, ids_, options_.change_log,
      records::instance_change("INSTANCE_STATE_CHANGED", before.tenant_id, before.instance_id,
                               state_change(before, before.current_operation_id),
                               state_change(after, op.operation_id)));
  if (finished) {
    records::record_change(
        ops, ctx, ids_, options_.change_log,
        records::instance_change(failed ? "OPERATION_FAILED" : "OPERATION_COMPLETED",
                                 before.tenant_id, before.instance_id, "",
                                 records::operation_json(op)));
  }

  // The tenant follows its instances (tenant_follows).
  const bool provisioned = domain::is_provisioning(before.state) && finished;
  const bool gone = after.state == InstanceState::Deprovisioned;
  if (provisioned || gone) {
    TENANTD_TRY(tenant_follows(store_, ids_, options_.change_log, ctx, before.tenant_id,
                               provisioned, gone, failed, ops));
  }
  const auto written = store_.write(std::move(ops));
  if (written.condition_failed()) {
    return std::optional<ReportOutcome>{};  // raced: read again
  }
  if (!written.ok()) {
    return Error::make(ErrorCode::ServiceUnavailable, "The store could not save the report");
  }
  if (events_.committed) {
    events_.committed();
  }
  return std::optional<ReportOutcome>(ReportOutcome{true, "", std::move(after)});
}

Result<ReportOutcome> InstanceService::apply_ecs_report(const Context& ctx, const EcsReport& ecs) {
  std::string instance_id = ecs.instance_id.value_or("");
  if (instance_id.empty()) {
    store::Query q;
    q.table = store::Table::Instances;
    q.pk = records::tenant_pk(ecs.tenant_id);
    q.sk = store::SortCondition::begins_with(records::kInstancePrefix);
    q.limit = 100;
    auto items = store_.query(q);
    if (!items) {
      return std::move(items).error();
    }
    std::optional<Instance> live;
    for (const auto& item : *items) {
      auto inst = records::instance_from_item(item);
      if (!inst) {
        return std::move(inst).error();
      }
      if (!domain::is_live(inst->state)) {
        continue;
      }
      if (live) {
        return ReportOutcome{false, "the tenant has several live instances; tag bbws:instance-id",
                             *live};
      }
      live = std::move(*inst);
    }
    if (!live) {
      return ReportOutcome{false, "the tenant has no live instance", Instance{}};
    }
    instance_id = live->instance_id;
  }
  auto found = find_instance(instance_id);
  if (!found) {
    return std::move(found).error();
  }
  if (!found->has_value() || (*found)->tenant_id != ecs.tenant_id) {
    return ReportOutcome{false, "no such instance of tenant " + ecs.tenant_id, Instance{}};
  }
  return apply_report(ctx, instance_id, ecs.report);
}

}  // namespace tenantd::service
