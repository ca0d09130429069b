// Instance requests and reads (docs/instances.md). Progress is in instance_progress.cpp, the tenant
// cascade in instance_cascade.cpp.
#include "service/instance_service.hpp"

#include "core/json.hpp"
#include "events/outbox_event.hpp"
#include "records/instance_record.hpp"
#include "records/running_operations.hpp"
#include "records/tenant_record.hpp"
#include "service/access.hpp"
#include "service/instance_rules.hpp"
#include "service/request_effect.hpp"
#include "service/retry.hpp"

namespace tenantd::service {

using domain::Backup;
using domain::Instance;
using domain::InstanceEvent;
using domain::InstanceState;
using domain::Operation;
using domain::OperationType;
using domain::Tenant;
using domain::TenantStatus;

namespace {

// Racing writers of the tenant item (counts, other instances) are retried this often.
constexpr int kTenantAttempts = 5;
// Bounds the index entries one filtered list page examines.
constexpr int kMaxExaminedPerPage = 1000;

Status check_scale(std::int64_t count) {
  if (count < domain::kMinDesiredCount || count > domain::kMaxDesiredCount) {
    return Error::make(ErrorCode::ScaleLimitExceeded,
                       "desiredCount must be between " + std::to_string(domain::kMinDesiredCount) +
                           " and " + std::to_string(domain::kMaxDesiredCount))
        .with("desiredCount", count)
        .with("minimum", std::int64_t{domain::kMinDesiredCount})
        .with("maximum", std::int64_t{domain::kMaxDesiredCount});
  }
  return {};
}

Error tenant_not_active(const Tenant& tenant) {
  return Error::make(ErrorCode::TenantNotActive, "The tenant is " +
                                                     std::string(domain::to_string(tenant.status)) +
                                                     "; instances change only in an ACTIVE tenant")
      .with("tenantStatus", std::string(domain::to_string(tenant.status)));
}

// A tenant may take one more instance while it is under the limit and ACTIVE, or PENDING with
// none yet (its first instance is what activates it).
Status check_room_for_instance(const Tenant& tenant, int max_instances) {
  if (tenant.instance_count >= max_instances) {
    return Error::make(ErrorCode::InstanceExists,
                       "The tenant already has the most instances it may have (" +
                           std::to_string(max_instances) + ")")
        .with("maxInstancesPerTenant", std::int64_t{max_instances});
  }
  const bool first = tenant.status == TenantStatus::Pending && tenant.instance_count == 0;
  if (tenant.status != TenantStatus::Active && !first) {
    return tenant_not_active(tenant);
  }
  return {};
}

// The new instance and its provision operation: what the request asks, else the tenant's
// details and the defaults.
Accepted provision_request(Ids& ids, const Context& ctx, const Tenant& tenant,
                           const CreateInstanceInput& input, const std::string& environment) {
  Instance inst;
  inst.instance_id = ids.make("inst");
  inst.tenant_id = tenant.tenant_id;
  inst.organization_name = input.organization_name.value_or(tenant.organization_name);
  inst.contact_email = input.contact_email ? input.contact_email : tenant.contact_email;
  inst.opportunity_id = input.opportunity_id;
  inst.tier = input.tier;
  inst.configuration.desired_count = input.desired_count.value_or(domain::kMinDesiredCount);
  inst.configuration.wordpress_version = input.wordpress_version.value_or("latest");
  inst.configuration.php_version = input.php_version.value_or("8.2");
  inst.state = InstanceState::PendingProvisioning;
  inst.desired_count = inst.configuration.desired_count;
  inst.environment = environment;
  inst.domain = inst.instance_id + "." + environment + ".bbws.local";
  inst.created_at = ctx.now;
  inst.updated_at = ctx.now;
  inst.version = 1;

  Operation op;
  op.operation_id = ids.make("op");
  op.type = OperationType::Provision;
  op.instance_id = inst.instance_id;
  op.tenant_id = inst.tenant_id;
  op.current_step = std::string(domain::to_string(inst.state));
  op.requested = domain::requested_of(inst);  // a new instance is born with what it asks for
  op.created_at = ctx.now;
  op.updated_at = ctx.now;
  inst.current_operation_id = op.operation_id;
  inst.state_before_operation = InstanceState::PendingProvisioning;

  Accepted accepted;
  accepted.previous_count = inst.desired_count;
  accepted.instance = std::move(inst);
  accepted.operation = std::move(op);
  return accepted;
}

std::string request_after(const Instance& instance, const Operation& operation) {
  JsonWriter out;
  out.begin_object().field("instanceId", instance.instance_id).key("instance");
  out.raw(records::instance_json(instance))
      .key("operation")
      .raw(records::operation_json(operation));
  out.end_object();
  return out.str();
}

std::string state_object(const Instance& instance) {
  JsonWriter out;
  out.begin_object()
      .field("instanceId", instance.instance_id)
      .field("state", domain::to_string(instance.state))
      .end_object();
  return out.str();
}

Error store_unavailable() {
  return Error::make(ErrorCode::ServiceUnavailable, "The store could not save the instance");
}

}  // namespace

InstanceService::InstanceService(store::ItemStore& store, Ids& ids, InstanceOptions options,
                                 InstanceEvents events)
    : store_(store), ids_(ids), options_(std::move(options)), events_(std::move(events)) {}

void InstanceService::notify() const {
  if (events_.committed) {
    events_.committed();
  }
  if (events_.operation_started) {
    events_.operation_started();
  }
}

Result<Page<domain::Operation>> InstanceService::running_operations(
    const PageRequest& page, std::optional<TimePoint> changed_by) {
  return records::running_operations(store_, page, changed_by);
}

Result<std::optional<Instance>> InstanceService::find_instance(std::string_view instance_id) {
  if (!is_id(instance_id, "inst")) {
    return std::optional<Instance>{};
  }
  auto index = store_.get(store::Table::Instances, records::instance_index_key(instance_id));
  if (!index) {
    return std::move(index).error();
  }
  if (!index->has_value()) {
    return std::optional<Instance>{};
  }
  auto tenant_id = records::tenant_of_index(**index);
  if (!tenant_id) {
    return std::move(tenant_id).error();
  }
  auto item = store_.get(store::Table::Instances, records::instance_key(*tenant_id, instance_id));
  if (!item) {
    return std::move(item).error();
  }
  if (!item->has_value()) {
    return std::optional<Instance>{};
  }
  auto instance = records::instance_from_item(**item);
  if (!instance) {
    return std::move(instance).error();
  }
  return std::optional<Instance>(std::move(*instance));
}

Result<InstanceService::Located> InstanceService::locate(const Context& ctx,
                                                         std::string_view tenant_id,
                                                         std::string_view instance_id,
                                                         Action action) {
  std::string tid(tenant_id);
  const bool flat = tid.empty();
  if (flat) {
    if (!is_id(instance_id, "inst")) {
      return instance_not_found(instance_id);
    }
    auto index = store_.get(store::Table::Instances, records::instance_index_key(instance_id));
    if (!index) {
      return std::move(index).error();
    }
    if (!index->has_value()) {
      return instance_not_found(instance_id);
    }
    auto owner = records::tenant_of_index(**index);
    if (!owner) {
      return std::move(owner).error();
    }
    tid = std::move(*owner);
  }
  auto tenant = load_tenant_for(store_, ctx, tid, action);
  if (!tenant) {
    // On a flat route the tenant is not the caller's to know about: the instance is not found.
    if (flat && tenant.error().code == ErrorCode::TenantNotFound) {
      return instance_not_found(instance_id);
    }
    return std::move(tenant).error();
  }
  if (!is_id(instance_id, "inst")) {
    return instance_not_found(instance_id);
  }
  auto item = store_.get(store::Table::Instances, records::instance_key(tid, instance_id));
  if (!item) {
    return std::move(item).error();
  }
  if (!item->has_value()) {
    return instance_not_found(instance_id);
  }
  auto instance = records::instance_from_item(**item);
  if (!instance) {
    return std::move(instance).error();
  }
  return Located{std::move(*tenant), std::move(*instance)};
}

Result<std::vector<store::WriteOp>> InstanceService::start_ops(
    const Context& ctx, const Instance& before, InstanceEvent event, OperationType type,
    const Mutation& mutate, Accepted& accepted, bool forced) {
  if (before.current_operation_id && !forced) {
    return operation_in_progress(before);
  }
  InstanceState target = domain::initial_state(type);
  if (!forced) {
    const auto t = domain::instance_transition(before.state, event);
    if (!t) {
      return instance_invalid_transition(before.state, event);
    }
    target = domain::resolve(*t, before.state);
  }
  // `mutate` says what the request asks for; the stored instance keeps its values until the
  // operation COMPLETES (docs/instances.md), so the request is kept on the operation.
  Instance wanted = before;
  if (mutate) {
    TENANTD_TRY(mutate(wanted));
  }
  Instance after = before;
  after.state = target;
  after.state_before_operation = before.state;
  after.backup_count = wanted.backup_count;  // a backup holds its quota slot while it runs
  // Who suspends is known at once, so that an unpark can tell a park's suspension in flight.
  after.suspended_by = wanted.suspended_by;
  Operation op;
  op.requested = domain::requested_of(wanted);
  op.operation_id = ids_.make("op");
  op.type = type;
  op.status = domain::OperationStatus::Pending;
  op.instance_id = before.instance_id;
  op.tenant_id = before.tenant_id;
  op.current_step = std::string(domain::to_string(target));
  op.backup_id = accepted.operation.backup_id;
  op.created_at = ctx.now;
  op.updated_at = ctx.now;
  after.current_operation_id = op.operation_id;
  after.version = before.version + 1;
  after.updated_at = ctx.now;

  std::vector<store::WriteOp> ops;
  ops.emplace_back(store::Put{store::Table::Instances, records::instance_item(after),
                              store::Condition::version_is(before.version)});
  ops.emplace_back(store::Put{store::Table::Instances, records::operation_item(op),
                              store::Condition::not_exists()});
  if (accepted.backup) {
    accepted.backup->operation_id = op.operation_id;
    op.backup_id = accepted.backup->backup_id;
    ops.back() = store::Put{store::Table::Instances, records::operation_item(op),
                            store::Condition::not_exists()};
    ops.emplace_back(store::Put{store::Table::Instances, records::backup_item(*accepted.backup),
                                store::Condition::not_exists()});
  }
  // The event carries the instance as the operation will leave it: what a worker must build.
  accepted.instance = domain::as_requested(std::move(after), op);
  records::record_change(
      ops, ctx, ids_, options_.change_log,
      records::instance_change(std::string(requested_event_type(type)), before.tenant_id,
                               before.instance_id, state_object(before),
                               request_after(accepted.instance, op)));
  accepted.operation = std::move(op);
  return ops;
}

Result<Accepted> InstanceService::accepted_earlier(const Context& ctx,
                                                   std::string_view operation_id) {
  auto op = get_operation(ctx, operation_id);
  if (!op) {
    return std::move(op).error();
  }
  auto at = locate(ctx, op->tenant_id, op->instance_id, Action::ReadInstance);
  if (!at) {
    return std::move(at).error();
  }
  Accepted a;
  if (op->type == OperationType::Backup && op->backup_id) {
    auto b = get_backup(ctx, op->tenant_id, op->instance_id, *op->backup_id);
    if (!b) {
      return std::move(b).error();
    }
    a.backup = std::move(*b);
  }
  a.instance = std::move(at->instance);
  a.operation = std::move(*op);
  return a;
}

Result<Accepted> InstanceService::start(const Context& ctx, const Located& at, InstanceEvent event,
                                        OperationType type, const Mutation& mutate,
                                        Accepted accepted) {
  const Instance& before = at.instance;
  if (ctx.if_match && *ctx.if_match != before.version) {
    return Error::make(
        ErrorCode::PreconditionFailed,
        "If-Match does not match the current version " + std::to_string(before.version));
  }
  if (before.current_operation_id) {
    return operation_in_progress(before);
  }
  if (type != OperationType::Deprovision) {
    const bool active = at.tenant.status == TenantStatus::Active;
    const bool first_provisioning =
        at.tenant.status == TenantStatus::Pending && type == OperationType::Provision;
    if (!active && !first_provisioning) {
      return tenant_not_active(at.tenant);
    }
  }
  accepted.previous_count = before.configuration.desired_count;
  auto ops = start_ops(ctx, before, event, type, mutate, accepted, false);
  if (!ops) {
    return std::move(ops).error();
  }
  // The tenant's status was checked above: the write holds only if it is still the same.
  ops->emplace_back(store::Check{store::Table::Tenants, records::tenant_key(at.tenant.tenant_id),
                                 store::Condition::version_is(at.tenant.version)});
  request_effect::record(*ops, accepted.operation.operation_id);
  const auto written = store_.write(std::move(*ops));
  if (written.condition_failed()) {
    auto now = find_instance(before.instance_id);
    if (now && now->has_value() && (*now)->current_operation_id) {
      return operation_in_progress(**now);
    }
    if (ctx.if_match) {
      return Error::make(ErrorCode::PreconditionFailed,
                         "The instance changed since the version given in If-Match");
    }
    return Error::make(ErrorCode::VersionConflict,
                       "The instance or its tenant changed during this request; retry");
  }
  if (!written.ok()) {
    return store_unavailable();
  }
  notify();
  return accepted;
}

Result<Accepted> InstanceService::create(const Context& ctx, std::string_view tenant_id,
                                         const CreateInstanceInput& input) {
  if (const std::string* started = request_effect::applied()) {
    return accepted_earlier(ctx, *started);
  }
  if (input.environment && *input.environment != options_.environment) {
    return Error::validation({{"environment", "ENVIRONMENT_MISMATCH",
                               "this deployment serves the '" + options_.environment +
                                   "' environment, not '" + *input.environment + "'"}});
  }
  if (input.desired_count) {
    TENANTD_TRY(check_scale(*input.desired_count));
  }
  return retry_on_conflict<Accepted>(
      kTenantAttempts,
      [&]() -> Attempt<Accepted> {
        auto tenant = load_tenant_for(store_, ctx, tenant_id, Action::ProvisionInstance);
        if (!tenant) {
          return std::move(tenant).error();
        }
        TENANTD_TRY(check_room_for_instance(*tenant, options_.max_instances_per_tenant));
        Accepted accepted = provision_request(ids_, ctx, *tenant, input, options_.environment);
        const Instance& inst = accepted.instance;
        const Operation& op = accepted.operation;
        Tenant counted = *tenant;
        counted.instance_count += 1;
        counted.version += 1;
        std::vector<store::WriteOp> ops;
        ops.emplace_back(store::Put{store::Table::Tenants, records::tenant_item(counted),
                                    store::Condition::version_is(tenant->version)});
        ops.emplace_back(store::Put{store::Table::Instances, records::instance_item(inst),
                                    store::Condition::not_exists()});
        ops.emplace_back(store::Put{store::Table::Instances, records::instance_index_item(inst),
                                    store::Condition::not_exists()});
        ops.emplace_back(store::Put{store::Table::Instances, records::operation_item(op),
                                    store::Condition::not_exists()});
        records::record_change(
            ops, ctx, ids_, options_.change_log,
            records::instance_change("INSTANCE_PROVISION_REQUESTED", inst.tenant_id,
                                     inst.instance_id, "", request_after(inst, op)));
        request_effect::record(ops, op.operation_id);
        const auto written = store_.write(std::move(ops));
        if (written.condition_failed()) {
          // The tenant changed (another instance, a member, a status): read it again.
          return std::optional<Accepted>{};
        }
        if (!written.ok()) {
          return store_unavailable();
        }
        notify();
        return std::optional<Accepted>{std::move(accepted)};
      },
      [] { return Error::make(ErrorCode::VersionConflict, "The tenant kept changing; retry"); });
}

Result<Instance> InstanceService::get(const Context& ctx, std::string_view tenant_id,
                                      std::string_view instance_id) {
  auto at = locate(ctx, tenant_id, instance_id, Action::ReadInstance);
  if (!at) {
    return std::move(at).error();
  }
  return std::move(at->instance);
}

Result<Page<Instance>> InstanceService::list(const Context& ctx, std::string_view tenant_id,
                                             std::optional<InstanceState> state,
                                             const PageRequest& page) {
  TENANTD_TRY(load_tenant_for(store_, ctx, tenant_id, Action::ReadInstance));
  store::Query q;
  q.table = store::Table::Instances;
  q.pk = records::tenant_pk(tenant_id);
  q.sk = store::SortCondition::begins_with(records::kInstancePrefix);
  q.start_after = page.after;
  q.other_index_keys = false;
  Page<Instance> out;
  int examined = 0;
  std::optional<store::Cursor> last;
  while (examined < kMaxExaminedPerPage) {
    q.limit = std::min(page.limit + 1, kMaxExaminedPerPage - examined);
    auto items = store_.query(q);
    if (!items) {
      return std::move(items).error();
    }
    for (const auto& item : *items) {
      ++examined;
      auto inst = records::instance_from_item(item);
      if (!inst) {
        return std::move(inst).error();
      }
      if (!state || inst->state == *state) {
        if (static_cast<int>(out.items.size()) == page.limit) {
          out.next = last;
          return out;
        }
        out.items.push_back(std::move(*inst));
      }
      last = store::cursor_after(item, 0);
    }
    if (static_cast<int>(items->size()) < q.limit) {
      return out;
    }
    q.start_after = last;
  }
  out.next = last;
  return out;
}

Result<InstanceStatus> InstanceService::status(const Context& ctx, std::string_view tenant_id,
                                               std::string_view instance_id) {
  auto at = locate(ctx, tenant_id, instance_id, Action::ReadInstance);
  if (!at) {
    return std::move(at).error();
  }
  InstanceStatus out{std::move(at->instance), std::nullopt, std::nullopt};
  if (out.instance.current_operation_id) {
    auto item = store_.get(store::Table::Instances,
                           records::operation_key(*out.instance.current_operation_id));
    if (!item) {
      return std::move(item).error();
    }
    if (item->has_value()) {
      auto op = records::operation_from_item(**item);
      if (!op) {
        return std::move(op).error();
      }
      out.operation = std::move(*op);
    }
  }
  if (live_status_) {
    out.live = live_status_(out.instance);
  }
  return out;
}

Result<Accepted> InstanceService::update(const Context& ctx, std::string_view tenant_id,
                                         std::string_view instance_id,
                                         const UpdateInstanceInput& input) {
  if (input.desired_count) {
    TENANTD_TRY(check_scale(*input.desired_count));
  }
  auto at = locate(ctx, tenant_id, instance_id, Action::ProvisionInstance);
  if (!at) {
    return std::move(at).error();
  }
  const bool retry = at->instance.state == InstanceState::Failed ||
                     at->instance.state == InstanceState::WorkflowFailed;
  const Mutation apply = [&input](Instance& after) -> Status {
    if (input.tier) {
      after.tier = *input.tier;
    }
    if (input.desired_count) {
      after.configuration.desired_count = *input.desired_count;
      after.desired_count = *input.desired_count;
    }
    if (input.wordpress_version) {
      after.configuration.wordpress_version = *input.wordpress_version;
    }
    if (input.php_version) {
      after.configuration.php_version = *input.php_version;
    }
    return {};
  };
  if (retry) {
    return start(
        ctx, *at, InstanceEvent::Retry, OperationType::Provision,
        [&apply](Instance& after) -> Status {
          after.last_error.reset();
          after.desired_count = after.configuration.desired_count;
          return apply(after);
        },
        Accepted{});
  }
  return start(ctx, *at, InstanceEvent::Update, OperationType::Update, apply, Accepted{});
}

Result<Accepted> InstanceService::remove(const Context& ctx, std::string_view tenant_id,
                                         std::string_view instance_id) {
  auto at = locate(ctx, tenant_id, instance_id, Action::ProvisionInstance);
  if (!at) {
    return std::move(at).error();
  }
  return start(
      ctx, *at, InstanceEvent::Delete, OperationType::Deprovision,
      [](Instance&) -> Status { return {}; }, Accepted{});
}

Result<Accepted> InstanceService::scale(const Context& ctx, std::string_view tenant_id,
                                        std::string_view instance_id, std::int64_t desired_count) {
  auto at = locate(ctx, tenant_id, instance_id, Action::OperateInstance);
  if (!at) {
    return std::move(at).error();
  }
  TENANTD_TRY(check_scale(desired_count));
  const int count = static_cast<int>(desired_count);
  return start(
      ctx, *at, InstanceEvent::Scale, OperationType::Scale,
      [count](Instance& after) -> Status {
        after.configuration.desired_count = count;
        after.desired_count = count;
        return {};
      },
      Accepted{});
}

Result<Accepted> InstanceService::suspend(const Context& ctx, std::string_view tenant_id,
                                          std::string_view instance_id) {
  if (const std::string* started = request_effect::applied()) {
    return accepted_earlier(ctx, *started);
  }
  auto at = locate(ctx, tenant_id, instance_id, Action::OperateInstance);
  if (!at) {
    return std::move(at).error();
  }
  return start(
      ctx, *at, InstanceEvent::Suspend, OperationType::Suspend,
      [](Instance& after) -> Status {
        after.desired_count = 0;
        after.suspended_by = "USER";
        return {};
      },
      Accepted{});
}

Result<Accepted> InstanceService::resume(const Context& ctx, std::string_view tenant_id,
                                         std::string_view instance_id) {
  if (const std::string* started = request_effect::applied()) {
    return accepted_earlier(ctx, *started);
  }
  auto at = locate(ctx, tenant_id, instance_id, Action::OperateInstance);
  if (!at) {
    return std::move(at).error();
  }
  return start(
      ctx, *at, InstanceEvent::Resume, OperationType::Resume,
      [](Instance& after) -> Status {
        after.desired_count = after.configuration.desired_count;
        return {};
      },
      Accepted{});
}

Result<Accepted> InstanceService::backup(const Context& ctx, std::string_view tenant_id,
                                         std::string_view instance_id, const BackupInput& input) {
  if (const std::string* started = request_effect::applied()) {
    return accepted_earlier(ctx, *started);
  }
  auto at = locate(ctx, tenant_id, instance_id, Action::OperateInstance);
  if (!at) {
    return std::move(at).error();
  }
  if (at->instance.current_operation_id) {
    return operation_in_progress(at->instance);  // before judging the quota
  }
  if (at->instance.backup_count >= domain::kMaxBackupsPerInstance) {
    return Error::make(ErrorCode::QuotaExceeded,
                       "An instance keeps at most " +
                           std::to_string(domain::kMaxBackupsPerInstance) + " manual backups")
        .with("maxBackups", std::int64_t{domain::kMaxBackupsPerInstance});
  }
  Backup b;
  b.backup_id = ids_.make("bkp");
  b.instance_id = at->instance.instance_id;
  b.tenant_id = at->instance.tenant_id;
  b.type = input.type;
  b.label = input.label;
  b.status = domain::BackupStatus::Pending;
  b.created_at = ctx.now;
  b.expires_at = ctx.now + options_.backup_retention;
  Accepted seed;
  seed.backup = std::move(b);
  return start(
      ctx, *at, InstanceEvent::Backup, OperationType::Backup,
      [](Instance& after) -> Status {
        after.backup_count += 1;
        return {};
      },
      std::move(seed));
}

Result<Accepted> InstanceService::restore(const Context& ctx, std::string_view tenant_id,
                                          std::string_view instance_id,
                                          std::string_view backup_id) {
  if (const std::string* started = request_effect::applied()) {
    return accepted_earlier(ctx, *started);
  }
  auto at = locate(ctx, tenant_id, instance_id, Action::OperateInstance);
  if (!at) {
    return std::move(at).error();
  }
  if (at->instance.current_operation_id) {
    return operation_in_progress(at->instance);  // before judging the backup
  }
  auto source = get_backup(ctx, at->tenant.tenant_id, instance_id, backup_id);
  if (!source) {
    return std::move(source).error();
  }
  if (source->status != domain::BackupStatus::Completed) {
    return Error::make(ErrorCode::InvalidStatusTransition,
                       "Only a COMPLETED backup can be restored; this one is " +
                           std::string(domain::to_string(source->status)))
        .with("backupId", source->backup_id)
        .with("backupStatus", std::string(domain::to_string(source->status)));
  }
  Accepted seed;
  seed.operation.backup_id = source->backup_id;  // the operation names its source
  return start(
      ctx, *at, InstanceEvent::Restore, OperationType::Restore,
      [](Instance& after) -> Status {
        after.desired_count = after.configuration.desired_count;
        return {};
      },
      std::move(seed));
}

Result<domain::Backup> InstanceService::get_backup(const Context& ctx, std::string_view tenant_id,
                                                   std::string_view instance_id,
                                                   std::string_view backup_id) {
  auto at = locate(ctx, tenant_id, instance_id, Action::ReadInstance);
  if (!at) {
    return std::move(at).error();
  }
  const auto not_found = [&backup_id] {
    return Error::make(ErrorCode::BackupNotFound,
                       "Backup " + std::string(backup_id) + " not found for this instance");
  };
  if (!is_id(backup_id, "bkp")) {
    return not_found();
  }
  // The key names the instance, so another instance's backup is simply not found here.
  auto item = store_.get(store::Table::Instances,
                         records::backup_key(at->tenant.tenant_id, instance_id, backup_id));
  if (!item) {
    return std::move(item).error();
  }
  if (!item->has_value()) {
    return not_found();
  }
  return records::backup_from_item(**item);
}

Result<Page<domain::Backup>> InstanceService::list_backups(const Context& ctx,
                                                           std::string_view tenant_id,
                                                           std::string_view instance_id,
                                                           const PageRequest& page) {
  auto at = locate(ctx, tenant_id, instance_id, Action::ReadInstance);
  if (!at) {
    return std::move(at).error();
  }
  store::Query q;
  q.table = store::Table::Instances;
  q.pk = records::tenant_pk(at->tenant.tenant_id);
  q.sk = store::SortCondition::begins_with(records::backup_prefix(instance_id));
  q.limit = page.limit + 1;
  q.start_after = page.after;
  auto items = store_.query(q);
  if (!items) {
    return std::move(items).error();
  }
  Page<domain::Backup> out;
  for (const auto& item : *items) {
    if (static_cast<int>(out.items.size()) == page.limit) {
      out.next = store::cursor_after((*items)[out.items.size() - 1], 0);
      break;
    }
    auto b = records::backup_from_item(item);
    if (!b) {
      return std::move(b).error();
    }
    out.items.push_back(std::move(*b));
  }
  return out;
}

Result<Operation> InstanceService::get_operation(const Context& ctx,
                                                 std::string_view operation_id) {
  const auto not_found = [&operation_id] {
    return Error::make(ErrorCode::OperationNotFound,
                       "Operation " + std::string(operation_id) + " not found");
  };
  if (!is_id(operation_id, "op")) {
    return not_found();
  }
  auto item = store_.get(store::Table::Instances, records::operation_key(operation_id));
  if (!item) {
    return std::move(item).error();
  }
  if (!item->has_value()) {
    return not_found();
  }
  auto op = records::operation_from_item(**item);
  if (!op) {
    return std::move(op).error();
  }
  auto tenant = load_tenant_for(store_, ctx, op->tenant_id, Action::ReadInstance);
  if (!tenant) {
    if (tenant.error().code == ErrorCode::TenantNotFound) {
      return not_found();  // another tenant's operation does not exist for this caller
    }
    return std::move(tenant).error();
  }
  return op;
}

}  // namespace tenantd::service
