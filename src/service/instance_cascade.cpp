// The tenant lifecycle reaching its instances (docs/tenants.md), inside the tenant's own
// transaction: park suspends the running instances (suspendedBy PARK), unpark resumes exactly
// those, and a forced delete deprovisions every live instance.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "events/outbox_event.hpp"
#include "records/instance_record.hpp"
#include "records/tenant_record.hpp"
#include "service/instance_rules.hpp"
#include "service/instance_service.hpp"

namespace tenantd::service {

using domain::Instance;
using domain::InstanceEvent;
using domain::InstanceState;
using domain::OperationType;
using domain::TenantStatus;

namespace {
// One transaction holds at most 100 writes; each instance takes four.
constexpr int kMaxCascade = 20;

enum class TenantMove { Park, Unpark, Deprovision };

// What a tenant's move does to one of its instances: nothing (no event), or an operation,
// superseding the running one when `supersede` says why.
struct CascadeStep {
  std::optional<InstanceEvent> event;
  OperationType type = OperationType::Suspend;
  std::function<Status(Instance&)> mutate;
  std::string supersede;
};

// The tenant's instances, when one transaction can carry them all.
Result<std::vector<Instance>> instances_to_cascade(store::ItemStore& store,
                                                   const std::string& tenant_id) {
  store::Query q;
  q.table = store::Table::Instances;
  q.pk = records::tenant_pk(tenant_id);
  q.sk = store::SortCondition::begins_with(records::kInstancePrefix);
  q.limit = kMaxCascade + 1;
  TENANTD_TRY_ASSIGN(const auto items, store.query(q));
  if (static_cast<int>(items.size()) > kMaxCascade) {
    return Error::make(ErrorCode::InvalidStatusTransition,
                       "The tenant has more instances than one change can carry (" +
                           std::to_string(kMaxCascade) + "); change them first");
  }
  std::vector<Instance> instances;
  for (const auto& item : items) {
    TENANTD_TRY_ASSIGN(Instance inst, records::instance_from_item(item));
    instances.push_back(std::move(inst));
  }
  return instances;
}

// Park suspends the running instances (suspendedBy PARK), unpark resumes exactly those, and a
// forced delete deprovisions every live one.
Result<CascadeStep> cascade_step(const Instance& i, TenantMove move) {
  CascadeStep step;
  const bool leaving = i.state == InstanceState::PendingDeprovisioning ||
                       i.state == InstanceState::Deprovisioning || !domain::is_live(i.state);
  // Park and unpark supersede each other's instance operations (docs/original-api.md): a
  // client that parks and unparks at once must not see 409 while the first one still runs.
  const bool reversing_unpark = move == TenantMove::Park && i.state == InstanceState::Resuming &&
                                i.suspended_by == "PARK" && i.current_operation_id;
  const bool reversing_park = move == TenantMove::Unpark && i.state == InstanceState::Suspending &&
                              i.suspended_by == "PARK" && i.current_operation_id;
  if (reversing_unpark || reversing_park) {
    step.supersede = reversing_park ? "The tenant was unparked" : "The tenant was parked again";
    step.event = reversing_park ? InstanceEvent::Resume : InstanceEvent::Suspend;
    step.type = reversing_park ? OperationType::Resume : OperationType::Suspend;
    step.mutate = [reversing_park](Instance& a) -> Status {
      a.desired_count = reversing_park ? a.configuration.desired_count : 0;
      a.suspended_by = "PARK";
      return {};
    };
  } else if (move == TenantMove::Park) {
    if (leaving) {
      return step;  // going or gone: nothing to suspend
    }
    if (i.current_operation_id) {
      return operation_in_progress(i);
    }
    if (i.state != InstanceState::Active) {
      return step;  // suspended by a user, or failed: nothing runs
    }
    step.event = InstanceEvent::Suspend;
    step.type = OperationType::Suspend;
    step.mutate = [](Instance& a) -> Status {
      a.desired_count = 0;
      a.suspended_by = "PARK";
      return {};
    };
  } else if (move == TenantMove::Unpark) {
    if (i.suspended_by != "PARK" || leaving) {
      return step;  // suspended by a user (stays suspended), or being deleted
    }
    if (i.state != InstanceState::Suspended || i.current_operation_id) {
      return step;
    }
    step.event = InstanceEvent::Resume;
    step.type = OperationType::Resume;
    step.mutate = [](Instance& a) -> Status {
      a.desired_count = a.configuration.desired_count;
      return {};
    };
  } else {
    if (leaving) {
      return step;  // already going
    }
    // The running operation is overtaken by the deprovisioning.
    step.supersede = "The tenant was deleted with force=true";
    step.event = InstanceEvent::Delete;
    step.type = OperationType::Deprovision;
    step.mutate = [](Instance& a) -> Status {
      a.desired_count = 0;
      return {};
    };
  }
  return step;
}

}  // namespace

Result<std::vector<store::WriteOp>> InstanceService::supersede_ops(const Context& ctx,
                                                                   const Instance& i,
                                                                   std::string_view why) {
  std::vector<store::WriteOp> ops;
  if (!i.current_operation_id) {
    return ops;
  }
  auto op_item =
      store_.get(store::Table::Instances, records::operation_key(*i.current_operation_id));
  if (!op_item) {
    return std::move(op_item).error();
  }
  if (op_item->has_value()) {
    auto op = records::operation_from_item(**op_item);
    if (!op) {
      return std::move(op).error();
    }
    const std::int64_t version = op->version;
    op->status = domain::OperationStatus::Failed;
    op->error = domain::ErrorInfo{"SUPERSEDED", std::string(why), false};
    op->completed_at = ctx.now;
    op->updated_at = ctx.now;
    op->version = version + 1;
    ops.emplace_back(store::Put{store::Table::Instances, records::operation_item(*op),
                                store::Condition::version_is(version)});
  }
  return ops;
}

TenantChangeHook InstanceService::tenant_hook() {
  return [this](const Context& ctx, const domain::Tenant* before, const domain::Tenant& after) {
    return cascade(ctx, before, after);
  };
}

Result<std::vector<store::WriteOp>> InstanceService::cascade(const Context& ctx,
                                                             const domain::Tenant* before,
                                                             const domain::Tenant& after) {
  std::vector<store::WriteOp> ops;
  if (before == nullptr || before->status == after.status) {
    return ops;
  }
  std::optional<TenantMove> move;
  if (after.status == TenantStatus::Parked) {
    move = TenantMove::Park;
  } else if (before->status == TenantStatus::Parked && after.status == TenantStatus::Active) {
    move = TenantMove::Unpark;
  } else if (after.status == TenantStatus::Deprovisioned) {
    move = TenantMove::Deprovision;
  } else {
    return ops;
  }
  TENANTD_TRY_ASSIGN(const std::vector<Instance> instances,
                     instances_to_cascade(store_, after.tenant_id));
  const auto append = [&ops](std::vector<store::WriteOp> more) {
    for (auto& op : more) {
      ops.push_back(std::move(op));
    }
  };
  for (const Instance& i : instances) {
    TENANTD_TRY_ASSIGN(const CascadeStep step, cascade_step(i, *move));
    if (!step.event) {
      continue;
    }
    if (!step.supersede.empty()) {
      TENANTD_TRY_ASSIGN(auto superseded, supersede_ops(ctx, i, step.supersede));
      append(std::move(superseded));
    }
    Accepted accepted;
    TENANTD_TRY_ASSIGN(auto started, start_ops(ctx, i, *step.event, step.type, step.mutate,
                                               accepted, !step.supersede.empty()));
    append(std::move(started));
  }
  return ops;
}

}  // namespace tenantd::service
