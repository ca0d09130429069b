// The tenant lifecycle reaching its instances (docs/tenants.md), inside the tenant's own
// transaction: park suspends the running instances (suspendedBy PARK), unpark resumes exactly
// those, and a forced delete deprovisions every live instance.
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
  const bool park = after.status == TenantStatus::Parked;
  const bool unpark =
      before->status == TenantStatus::Parked && after.status == TenantStatus::Active;
  const bool deprovision = after.status == TenantStatus::Deprovisioned;
  if (!park && !unpark && !deprovision) {
    return ops;
  }
  store::Query q;
  q.table = store::Table::Instances;
  q.pk = records::tenant_pk(after.tenant_id);
  q.sk = store::SortCondition::begins_with(records::kInstancePrefix);
  q.limit = kMaxCascade + 1;
  auto items = store_.query(q);
  if (!items) {
    return std::move(items).error();
  }
  if (static_cast<int>(items->size()) > kMaxCascade) {
    return Error::make(ErrorCode::InvalidStatusTransition,
                       "The tenant has more instances than one change can carry (" +
                           std::to_string(kMaxCascade) + "); change them first");
  }
  for (const auto& item : *items) {
    auto inst = records::instance_from_item(item);
    if (!inst) {
      return std::move(inst).error();
    }
    const Instance& i = *inst;
    Accepted accepted;
    Result<std::vector<store::WriteOp>> more = std::vector<store::WriteOp>{};
    const bool leaving = i.state == InstanceState::PendingDeprovisioning ||
                         i.state == InstanceState::Deprovisioning || !domain::is_live(i.state);
    // Park and unpark supersede each other's instance operations (docs/original-api.md): a
    // client that parks and unparks at once must not see 409 while the first one still runs.
    const bool reversing_unpark = park && i.state == InstanceState::Resuming &&
                                  i.suspended_by == "PARK" && i.current_operation_id;
    const bool reversing_park = unpark && i.state == InstanceState::Suspending &&
                                i.suspended_by == "PARK" && i.current_operation_id;
    if (reversing_unpark || reversing_park) {
      auto superseded = supersede_ops(
          ctx, i, reversing_park ? "The tenant was unparked" : "The tenant was parked again");
      if (!superseded) {
        return std::move(superseded).error();
      }
      for (auto& op : *superseded) {
        ops.push_back(std::move(op));
      }
      more = start_ops(
          ctx, i, reversing_park ? InstanceEvent::Resume : InstanceEvent::Suspend,
          reversing_park ? OperationType::Resume : OperationType::Suspend,
          [reversing_park](Instance& a) -> Status {
            a.desired_count = reversing_park ? a.configuration.desired_count : 0;
            a.suspended_by = "PARK";
            return {};
          },
          accepted, true);
    } else if (park) {
      if (leaving) {
        continue;  // going or gone: nothing to suspend
      }
      if (i.current_operation_id) {
        return operation_in_progress(i);
      }
      if (i.state != InstanceState::Active) {
        continue;  // suspended by a user, or failed: nothing runs
      }
      more = start_ops(
          ctx, i, InstanceEvent::Suspend, OperationType::Suspend,
          [](Instance& a) -> Status {
            a.desired_count = 0;
            a.suspended_by = "PARK";
            return {};
          },
          accepted, false);
    } else if (unpark) {
      if (i.suspended_by != "PARK" || leaving) {
        continue;  // suspended by a user (stays suspended), or being deleted
      }
      if (i.state != InstanceState::Suspended || i.current_operation_id) {
        continue;
      }
      more = start_ops(
          ctx, i, InstanceEvent::Resume, OperationType::Resume,
          [](Instance& a) -> Status {
            a.desired_count = a.configuration.desired_count;
            return {};
          },
          accepted, false);
    } else {
      if (leaving) {
        continue;  // already going
      }
      // The running operation is overtaken by the deprovisioning.
      auto superseded = supersede_ops(ctx, i, "The tenant was deleted with force=true");
      if (!superseded) {
        return std::move(superseded).error();
      }
      for (auto& op : *superseded) {
        ops.push_back(std::move(op));
      }
      more = start_ops(
          ctx, i, InstanceEvent::Delete, OperationType::Deprovision,
          [](Instance& a) -> Status {
            a.desired_count = 0;
            return {};
          },
          accepted, true);
    }
    if (!more) {
      return std::move(more).error();
    }
    for (auto& op : *more) {
      ops.push_back(std::move(op));
    }
  }
  return ops;
}

}  // namespace tenantd::service
