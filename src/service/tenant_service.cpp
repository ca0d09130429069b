#include "service/tenant_service.hpp"

#include <algorithm>

#include "core/json.hpp"
#include "core/strings.hpp"
#include "core/unicode_text.hpp"
#include "domain/tenant_lifecycle.hpp"
#include "events/outbox_event.hpp"
#include "records/tenant_name_order.hpp"
#include "records/tenant_record.hpp"
#include "service/access.hpp"
#include "service/request_effect.hpp"
#include "service/retry.hpp"
#include "service/tenant_name_order.hpp"

namespace tenantd::service {

using domain::Tenant;
using domain::TenantAction;
using domain::TenantStatus;

namespace {

// How many index entries one page may examine when a filter cannot be served by an index
// alone (organizationName prefix with status/environment): bounds the cost of a page.
constexpr int kMaxExaminedPerPage = 1000;

std::string_view event_type_for(TenantAction action) {
  switch (action) {
    case TenantAction::Activate:
      return "TENANT_ACTIVATED";
    case TenantAction::Fail:
      return "TENANT_FAILED";
    case TenantAction::Retry:
      return "TENANT_UPDATED";
    case TenantAction::Suspend:
      return "TENANT_SUSPENDED";
    case TenantAction::Resume:
      return "TENANT_RESUMED";
    case TenantAction::Park:
      return "TENANT_PARKED";
    case TenantAction::Unpark:
      return "TENANT_UNPARKED";
    case TenantAction::Deprovision:
      return "TENANT_DEPROVISIONED";
  }
  return "TENANT_UPDATED";
}

// The status an action leads to, named in the error when it is not allowed from here.
TenantStatus requested_status(TenantAction action) {
  switch (action) {
    case TenantAction::Activate:
    case TenantAction::Resume:
    case TenantAction::Unpark:
      return TenantStatus::Active;
    case TenantAction::Fail:
      return TenantStatus::Failed;
    case TenantAction::Retry:
      return TenantStatus::Pending;
    case TenantAction::Suspend:
      return TenantStatus::Suspended;
    case TenantAction::Park:
      return TenantStatus::Parked;
    case TenantAction::Deprovision:
      return TenantStatus::Deprovisioned;
  }
  return TenantStatus::Active;
}

std::string status_object(TenantStatus status) {
  JsonWriter out;
  out.begin_object().field("status", domain::to_string(status)).end_object();
  return out.str();
}

std::string tenant_object(const Tenant& tenant) {
  JsonWriter out;
  out.begin_object();
  records::write_tenant_attributes(out, tenant);
  out.end_object();
  return out.str();
}

Status check_if_match(const Context& ctx, const Tenant& tenant) {
  if (ctx.if_match && *ctx.if_match != tenant.version) {
    return Error::make(
        ErrorCode::PreconditionFailed,
        "If-Match does not match the current version " + std::to_string(tenant.version));
  }
  return {};
}

Error deprovisioned_error(const Tenant& tenant) {
  return domain::invalid_transition(tenant.status, tenant.status);
}

bool matches(const TenantFilter& filter, const Tenant& tenant) {
  if (filter.status && tenant.status != *filter.status) {
    return false;
  }
  if (filter.environment && tenant.environment != *filter.environment) {
    return false;
  }
  if (filter.name_prefix) {
    const std::string lower = to_lower(tenant.organization_name);
    const std::string prefix = to_lower(*filter.name_prefix);
    if (lower.compare(0, prefix.size(), prefix) != 0) {
      return false;
    }
  }
  if (filter.name_word_prefix &&
      !word_prefix_match(tenant.organization_name, *filter.name_word_prefix)) {
    return false;
  }
  return true;
}

// The tenant an index entry points at; nullopt when it is gone.
Result<std::optional<Tenant>> load_listed(store::ItemStore& store, const std::string& tenant_id) {
  auto item = store.get(store::Table::Tenants, records::tenant_key(tenant_id));
  if (!item) {
    return std::move(item).error();
  }
  if (!item->has_value()) {
    return std::optional<Tenant>{};
  }
  auto tenant = records::tenant_from_item(**item);
  if (!tenant) {
    return std::move(tenant).error();
  }
  return std::optional<Tenant>(std::move(*tenant));
}

// The caller's own memberships: indexed by user (GSI1 "MEMBER#<userId>" / "TENANT#<tenantId>"),
// each pointing at its tenant item.
store::Query own_memberships(const Context& ctx) {
  store::Query q;
  q.table = store::Table::Tenants;
  q.index = 1;
  q.pk = "MEMBER#" + ctx.principal.sub;
  return q;
}

std::string tenant_of_membership(const store::Item& membership) {
  return membership.pk.substr(std::string_view("TENANT#").size());
}

// The index that serves `filter` best, always newest first: exact for status/environment,
// the name bucket of up to three leading characters for a prefix (the rest is filtered).
store::Query query_for(const TenantFilter& filter) {
  store::Query q;
  q.table = store::Table::Tenants;
  q.forward = filter.ascending;
  if (filter.sort == TenantSort::OrganizationName) {
    // The ordering items (service/tenant_name_order.hpp); every filter is applied to the
    // tenants they point at.
    q.index = 0;
    q.pk = std::string(records::kTenantsByNamePk);
  } else if (filter.name_prefix) {
    const std::string lower = to_lower(*filter.name_prefix);
    const std::size_t chars =
        std::min<std::size_t>(domain::utf8_length(lower).value_or(1), records::kNameBuckets);
    q.index = records::kTenantsByName1Index + static_cast<int>(chars) - 1;
    q.pk = records::name_bucket_pk(lower, chars);
  } else if (filter.status && filter.environment) {
    q.index = records::kTenantsByStatusEnvIndex;
    q.pk = "TENANTS#STATUS_ENV#" + std::string(domain::to_string(*filter.status)) + "#" +
           std::string(domain::to_string(*filter.environment));
  } else if (filter.status) {
    q.index = records::kTenantsByStatusIndex;
    q.pk = "TENANTS#STATUS#" + std::string(domain::to_string(*filter.status));
  } else if (filter.environment) {
    q.index = records::kTenantsByEnvIndex;
    q.pk = "TENANTS#ENV#" + std::string(domain::to_string(*filter.environment));
  } else {
    q.index = records::kTenantsAllIndex;
    q.pk = "TENANTS";
  }
  return q;
}

}  // namespace

TenantService::TenantService(store::ItemStore& store, Ids& ids, ChangeLogOptions options,
                             TenantEvents events)
    : store_(store), ids_(ids), options_(options), events_(std::move(events)) {}

Result<Tenant> TenantService::create(const Context& ctx, const CreateTenantInput& input) {
  if (!platform_allows(ctx.principal, Action::CreateTenant)) {
    return Error::make(ErrorCode::Forbidden, "Only platform staff can create tenants");
  }
  if (const std::string* made = request_effect::applied()) {
    return get(ctx, *made);
  }
  Tenant t;
  t.tenant_id = ids_.make("tenant");
  t.organization_name = input.organization_name;
  t.contact_email = input.contact_email;
  t.environment = input.environment;
  t.status = TenantStatus::Pending;
  t.division = input.division;
  t.group = input.group;
  t.team = input.team;
  t.metadata = input.metadata;
  t.created_at = ctx.now;
  t.created_by = ctx.principal.actor();
  t.updated_at = ctx.now;
  t.updated_by = t.created_by;
  t.version = 1;

  std::vector<store::WriteOp> ops;
  ops.emplace_back(
      store::Put{store::Table::Tenants, records::tenant_item(t), store::Condition::not_exists()});
  ops.emplace_back(
      store::Put{store::Table::Tenants, records::org_name_item(t), store::Condition::not_exists()});
  if (auto extra = run_hooks(ctx, nullptr, t); !extra) {
    return std::move(extra).error();
  } else {
    for (auto& op : *extra) {
      ops.push_back(std::move(op));
    }
  }
  records::record_change(ops, ctx, ids_, options_,
                         records::Change{"TENANT_CREATED", events::kTenantSource, t.tenant_id, "",
                                         tenant_object(t), std::nullopt});
  request_effect::record(ops, t.tenant_id);
  const auto written = store_.write(std::move(ops));
  if (written.condition_failed()) {
    if (written.failed_op == 1) {
      return Error::make(ErrorCode::Conflict,
                         "An organisation named '" + t.organization_name + "' already exists")
          .with("organizationName", t.organization_name);
    }
    return Error::make(ErrorCode::VersionConflict,
                       "A related record changed while the tenant was created; retry");
  }
  if (!written.ok()) {
    return Error::make(ErrorCode::ServiceUnavailable, "The store could not save the tenant");
  }
  if (events_.committed) {
    events_.committed();
  }
  if (events_.counted) {
    events_.counted("TENANT_CREATED");
  }
  return t;
}

Result<Tenant> TenantService::get(const Context& ctx, std::string_view tenant_id) {
  return load_tenant_for(store_, ctx, tenant_id, Action::ReadTenant);
}

Result<Page<Tenant>> TenantService::list(const Context& ctx, const TenantFilter& filter,
                                         const PageRequest& page) {
  if (platform_allows(ctx.principal, Action::ReadTenant) &&
      filter.sort == TenantSort::OrganizationName) {
    return collect_page(
        query_for(filter), filter, page,
        [this](const store::Item& entry) -> Result<std::optional<Tenant>> {
          auto tenant = load_listed(store_, records::tenant_of_name_order_item(entry));
          // An entry left behind by a rename racing the backfill is skipped.
          if (tenant && tenant->has_value() &&
              records::name_order_key((*tenant)->organization_name, (*tenant)->tenant_id).sk !=
                  entry.sk) {
            return std::optional<Tenant>{};
          }
          return tenant;
        });
  }
  if (platform_allows(ctx.principal, Action::ReadTenant)) {
    return collect_page(query_for(filter), filter, page,
                        [](const store::Item& item) -> Result<std::optional<Tenant>> {
                          auto tenant = records::tenant_from_item(item);
                          if (!tenant) {
                            return std::move(tenant).error();
                          }
                          return std::optional<Tenant>(std::move(*tenant));
                        });
  }
  if (filter.sort == TenantSort::OrganizationName) {
    return list_own_by_name(ctx, filter, page);
  }
  store::Query q = own_memberships(ctx);
  q.forward = filter.ascending;  // a member's few tenants, in tenant-id order
  return collect_page(std::move(q), filter, page,
                      [this](const store::Item& membership) -> Result<std::optional<Tenant>> {
                        return load_listed(store_, tenant_of_membership(membership));
                      });
}

// A member's own tenants in name order: the membership index is in tenant-id order, so the
// member's tenants (at most kMaxExaminedPerPage) are read and sorted by their ordering key; the
// page token holds the last key returned.
Result<Page<Tenant>> TenantService::list_own_by_name(const Context& ctx, const TenantFilter& filter,
                                                     const PageRequest& page) {
  store::Query q = own_memberships(ctx);
  q.limit = kMaxExaminedPerPage;
  q.other_index_keys = false;
  auto memberships = store_.query(q);
  if (!memberships) {
    return std::move(memberships).error();
  }
  std::vector<std::pair<std::string, Tenant>> named;
  for (const auto& membership : *memberships) {
    auto tenant = load_listed(store_, tenant_of_membership(membership));
    if (!tenant) {
      return std::move(tenant).error();
    }
    if (tenant->has_value() && matches(filter, **tenant)) {
      std::string order =
          records::name_order_key((*tenant)->organization_name, (*tenant)->tenant_id).sk;
      named.emplace_back(std::move(order), std::move(**tenant));
    }
  }
  std::sort(named.begin(), named.end(), [&](const auto& a, const auto& b) {
    return filter.ascending ? a.first < b.first : a.first > b.first;
  });
  Page<Tenant> out;
  std::string last_returned;
  for (auto& [order, tenant] : named) {
    if (page.after && (filter.ascending ? order <= page.after->sk : order >= page.after->sk)) {
      continue;
    }
    if (static_cast<int>(out.items.size()) == page.limit) {
      out.next = store::Cursor{"", "", std::string(records::kTenantsByNamePk), last_returned};
      break;
    }
    last_returned = order;
    out.items.push_back(std::move(tenant));
  }
  return out;
}

Result<Page<Tenant>> TenantService::collect_page(store::Query q, const TenantFilter& filter,
                                                 const PageRequest& page,
                                                 const TenantLoader& load) {
  q.start_after = page.after;
  q.other_index_keys = false;  // the items are only read
  Page<Tenant> out;
  int examined = 0;
  std::optional<store::Cursor> last_examined;
  while (examined < kMaxExaminedPerPage) {
    q.limit = std::min(page.limit + 1, kMaxExaminedPerPage - examined);
    auto items = store_.query(q);
    if (!items) {
      return std::move(items).error();
    }
    for (const auto& item : *items) {
      ++examined;
      auto tenant = load(item);
      if (!tenant) {
        return std::move(tenant).error();
      }
      if (tenant->has_value() && matches(filter, **tenant)) {
        if (static_cast<int>(out.items.size()) == page.limit) {
          out.next = last_examined;  // continue right after the last item returned
          return out;
        }
        out.items.push_back(std::move(**tenant));
      }
      last_examined = store::cursor_after(item, q.index);
    }
    if (static_cast<int>(items->size()) < q.limit) {
      return out;  // the index has nothing more
    }
    q.start_after = last_examined;
  }
  out.next = last_examined;  // examined budget spent: the next page continues from here
  return out;
}

Result<Tenant> TenantService::update(const Context& ctx, std::string_view tenant_id,
                                     const UpdateTenantInput& input) {
  auto loaded = load_tenant_for(store_, ctx, tenant_id, Action::UpdateTenant);
  if (!loaded) {
    return loaded;
  }
  const Tenant& before = *loaded;
  TENANTD_TRY(check_if_match(ctx, before));
  if (before.status == TenantStatus::Deprovisioned) {
    return deprovisioned_error(before);
  }
  Tenant after = before;
  if (input.organization_name) {
    after.organization_name = *input.organization_name;
  }
  if (input.contact_email) {
    after.contact_email = *input.contact_email;
  }
  if (input.division.present) {
    after.division = input.division.value;
  }
  if (input.group.present) {
    after.group = input.group.value;
  }
  if (input.team.present) {
    after.team = input.team.value;
  }
  for (const auto& [key, value] : input.metadata) {
    if (value) {
      after.metadata[key] = *value;
    } else {
      after.metadata.erase(key);
    }
  }
  std::vector<FieldError> errors;
  domain::check_placement(after.division, after.group, after.team, errors);
  JsonWriter merged;  // the limits apply to the metadata after the merge
  records::write_metadata(merged, after.metadata);
  domain::check_metadata(after.metadata, merged.view().size(), errors);
  if (!errors.empty()) {
    return Error::validation(std::move(errors));
  }

  std::vector<store::WriteOp> extra;
  const bool renamed = unicode::comparison_key(after.organization_name) !=
                       unicode::comparison_key(before.organization_name);
  if (renamed) {
    extra.emplace_back(store::Put{store::Table::Tenants, records::org_name_item(after),
                                  store::Condition::not_exists()});
    extra.emplace_back(store::Delete{store::Table::Tenants,
                                     records::org_name_key(before.organization_name),
                                     store::Condition::none()});
  }
  return commit(ctx, before, std::move(after), std::move(extra),
                records::Change{"TENANT_UPDATED", events::kTenantSource, before.tenant_id,
                                tenant_object(before), "", std::nullopt});
}

Result<Tenant> TenantService::apply(const Context& ctx, std::string_view tenant_id,
                                    TenantAction action, std::optional<std::string> reason) {
  if (request_effect::applied() != nullptr) {
    return get(ctx, tenant_id);  // a replay: the first run changed the status already
  }
  // Park, unpark, suspend and resume also write the tenant's instances (the cascade), which
  // their driver writes too as operations progress. Without If-Match such a race is retried on
  // fresh reads (each attempt re-checks the transition), so that a park followed at once by an
  // unpark never answers 409 (docs/decisions/0016-original-api-aliases.md).
  constexpr int kAttempts = 5;
  return retry_on_conflict<Tenant>(
      kAttempts - 1,
      [&]() -> Attempt<Tenant> {
        auto result = apply_once(ctx, tenant_id, action, reason);
        if (!result && !ctx.if_match && result.error().code == ErrorCode::VersionConflict) {
          return std::optional<Tenant>{};  // raced a driver's write: decide again
        }
        TENANTD_TRY_ASSIGN(Tenant after, std::move(result));
        return std::optional<Tenant>{std::move(after)};
      },
      // The last attempt answers whatever it meets, a conflict included.
      [&] { return apply_once(ctx, tenant_id, action, reason); });
}

Result<Tenant> TenantService::apply_once(const Context& ctx, std::string_view tenant_id,
                                         TenantAction action, std::optional<std::string> reason) {
  auto loaded = load_tenant_for(store_, ctx, tenant_id, Action::TenantLifecycle);
  if (!loaded) {
    return loaded;
  }
  const Tenant& before = *loaded;
  TENANTD_TRY(check_if_match(ctx, before));
  const auto target = domain::tenant_transition(before.status, action);
  if (!target) {
    if (events_.counted) {
      events_.counted("STATUS_TRANSITION_ERROR");
      if (action == TenantAction::Park) {
        events_.counted("PARK_FAILED");
      } else if (action == TenantAction::Unpark) {
        events_.counted("UNPARK_FAILED");
      }
    }
    return domain::invalid_transition(before.status, requested_status(action));
  }
  if (domain::action_needs_reason(action) && !reason) {
    return Error::validation({{"reason", "REQUIRED", "reason is required (10..500 characters)"}});
  }
  Tenant after =
      domain::after_action(before, action, *target, ctx.now, ctx.principal.actor(), reason);
  return commit(
      ctx, before, std::move(after), {},
      records::Change{std::string(event_type_for(action)), events::kTenantSource, before.tenant_id,
                      status_object(before.status), status_object(*target), std::move(reason)});
}

Result<Tenant> TenantService::set_status(const Context& ctx, std::string_view tenant_id,
                                         TenantStatus target, std::optional<std::string> reason) {
  auto loaded = load_tenant_for(store_, ctx, tenant_id, Action::TenantLifecycle);
  if (!loaded) {
    return loaded;
  }
  if (target == TenantStatus::Deprovisioned && loaded->status != TenantStatus::Deprovisioned) {
    return deprovision(ctx, tenant_id, false);
  }
  const auto action = domain::tenant_action_for(loaded->status, target);
  if (!action) {
    if (events_.counted) {
      events_.counted("STATUS_TRANSITION_ERROR");
    }
    return domain::invalid_transition(loaded->status, target);
  }
  return apply(ctx, tenant_id, *action, std::move(reason));
}

Result<Tenant> TenantService::deprovision(const Context& ctx, std::string_view tenant_id,
                                          bool force) {
  auto loaded = load_tenant_for(store_, ctx, tenant_id, Action::TenantLifecycle);
  if (!loaded) {
    return loaded;
  }
  const Tenant& before = *loaded;
  TENANTD_TRY(check_if_match(ctx, before));
  if (!domain::tenant_transition(before.status, TenantAction::Deprovision)) {
    return domain::invalid_transition(before.status, TenantStatus::Deprovisioned);
  }
  if (before.instance_count > 0 && !force) {
    return Error::make(ErrorCode::InvalidStatusTransition,
                       "The tenant still has instances; delete them first or use ?force=true")
        .with("currentStatus", std::string(domain::to_string(before.status)))
        .with("requestedStatus", std::string("DEPROVISIONED"))
        .with("instanceCount", before.instance_count);
  }
  Tenant after = before;
  after.status = TenantStatus::Deprovisioned;
  after.deprovisioned_at = ctx.now;
  after.deprovisioned_by = ctx.principal.actor();
  std::vector<store::WriteOp> extra;
  // The name becomes free for new tenants once this one is gone.
  extra.emplace_back(store::Delete{store::Table::Tenants,
                                   records::org_name_key(before.organization_name),
                                   store::Condition::none()});
  auto result = commit(ctx, before, std::move(after), std::move(extra),
                       records::Change{"TENANT_DEPROVISIONED", events::kTenantSource,
                                       before.tenant_id, status_object(before.status),
                                       status_object(TenantStatus::Deprovisioned), std::nullopt});
  return result;
}

Result<std::vector<store::WriteOp>> TenantService::run_hooks(const Context& ctx,
                                                             const Tenant* before,
                                                             const Tenant& after) {
  std::vector<store::WriteOp> ops;
  for (const auto& hook : events_.hooks) {
    auto extra = hook(ctx, before, after);
    if (!extra) {
      return std::move(extra).error();
    }
    for (auto& op : *extra) {
      ops.push_back(std::move(op));
    }
  }
  return ops;
}

Result<Page<std::string>> TenantService::audit(const Context& ctx, std::string_view tenant_id,
                                               const PageRequest& page) {
  TENANTD_TRY(load_tenant_for(store_, ctx, tenant_id, Action::ReadMembers));
  return records::read_audit(store_, tenant_id, page);
}

Result<Tenant> TenantService::commit(const Context& ctx, const Tenant& before, Tenant after,
                                     std::vector<store::WriteOp> extra_ops,
                                     records::Change change) {
  after.version = before.version + 1;
  after.updated_at = ctx.now;
  after.updated_by = ctx.principal.actor();
  if (change.after_json.empty()) {
    change.after_json = tenant_object(after);
  }
  const std::size_t extra_count = extra_ops.size();
  std::vector<store::WriteOp> ops;
  ops.reserve(extra_count + 3);
  ops.emplace_back(store::Put{store::Table::Tenants, records::tenant_item(after),
                              store::Condition::version_is(before.version)});
  for (auto& op : extra_ops) {
    ops.push_back(std::move(op));
  }
  auto hooked = run_hooks(ctx, &before, after);
  if (!hooked) {
    return std::move(hooked).error();
  }
  for (auto& op : *hooked) {
    ops.push_back(std::move(op));
  }
  const std::string event_type = change.event_type;
  records::record_change(ops, ctx, ids_, options_, change);
  request_effect::record(ops, after.tenant_id);
  const auto written = store_.write(std::move(ops));
  if (written.condition_failed()) {
    if (written.failed_op == 0) {
      if (ctx.if_match) {
        return Error::make(ErrorCode::PreconditionFailed,
                           "The tenant changed since the version given in If-Match");
      }
      return Error::make(ErrorCode::VersionConflict,
                         "The tenant was changed by another request; read it again and retry");
    }
    if (written.failed_op > extra_count) {  // a hook's write raced another request
      return Error::make(ErrorCode::VersionConflict,
                         "A related record changed during this request; read again and retry");
    }
    return Error::make(ErrorCode::Conflict,
                       "An organisation named '" + after.organization_name + "' already exists")
        .with("organizationName", after.organization_name);
  }
  if (!written.ok()) {
    return Error::make(ErrorCode::ServiceUnavailable, "The store could not save the tenant");
  }
  if (events_.committed) {
    events_.committed();
  }
  if (events_.counted) {
    events_.counted(event_type);
  }
  return after;
}

}  // namespace tenantd::service
