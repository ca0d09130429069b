#include "service/member_service.hpp"

#include "core/json.hpp"
#include "core/strings.hpp"
#include "events/outbox_event.hpp"
#include "records/tenant_record.hpp"
#include "service/access.hpp"
#include "service/request_effect.hpp"
#include "service/retry.hpp"

namespace tenantd::service {

namespace {

using domain::Tenant;
using domain::TenantStatus;

// Racing changes of one tenant's members retry on a failed condition; each retry re-reads.
constexpr int kAttempts = 16;

Error user_not_found(std::string_view user_id) {
  return Error::make(ErrorCode::UserNotFound, "User " + std::string(user_id) + " not found")
      .with("userId", std::string(user_id));
}

std::string membership_object(const Membership& m) {
  JsonWriter out;
  out.begin_object();
  records::write_membership_attributes(out, m);
  out.end_object();
  return out.str();
}

Result<std::optional<Membership>> read_membership(store::ItemStore& store,
                                                  std::string_view tenant_id,
                                                  std::string_view user_id) {
  auto item = store.get(store::Table::Tenants, records::membership_key(tenant_id, user_id));
  if (!item) {
    return std::move(item).error();
  }
  if (!item->has_value()) {
    return std::optional<Membership>{};
  }
  auto m = records::membership_from_item(**item);
  if (!m) {
    return std::move(m).error();
  }
  return std::optional<Membership>{std::move(*m)};
}

struct AdminCounter {
  std::int64_t count = 0;
  std::int64_t version = 0;  // 0: the item does not exist yet
};

Result<AdminCounter> read_admin_counter(store::ItemStore& store, std::string_view tenant_id) {
  auto item = store.get(store::Table::Tenants, admin_counter_key(tenant_id));
  if (!item) {
    return std::move(item).error();
  }
  AdminCounter counter;
  if (!item->has_value()) {
    return counter;
  }
  const auto doc = parse_json((*item)->data);
  if (!doc || !doc->IsObject() || !doc->HasMember("adminCount") || !doc->HasMember("version") ||
      !(*doc)["adminCount"].IsInt64() || !(*doc)["version"].IsInt64()) {
    return Error::make(ErrorCode::InternalError, "stored admin counter is unreadable");
  }
  counter.count = (*doc)["adminCount"].GetInt64();
  counter.version = (*doc)["version"].GetInt64();
  return counter;
}

store::WriteOp admin_counter_put(std::string_view tenant_id, const AdminCounter& before,
                                 std::int64_t new_count) {
  const store::Key key = admin_counter_key(tenant_id);
  store::Item item;
  item.pk = key.pk;
  item.sk = key.sk;
  JsonWriter out;
  out.begin_object()
      .field("tenantId", tenant_id)
      .field("adminCount", new_count)
      .field("version", before.version + 1)
      .end_object();
  item.data = out.str();
  return store::Put{store::Table::Tenants, std::move(item),
                    store::Condition::unchanged_since(before.version)};
}

const JsonValue* find_child(const JsonValue& parent, const char* array_name,
                            std::string_view name) {
  const auto list = parent.FindMember(array_name);
  if (list == parent.MemberEnd() || !list->value.IsArray()) {
    return nullptr;
  }
  const std::string wanted = to_lower(name);
  for (const auto& node : list->value.GetArray()) {
    if (!node.IsObject()) {
      continue;
    }
    const auto node_name = node.FindMember("name");
    if (node_name != node.MemberEnd() && node_name->value.IsString() &&
        to_lower(as_view(node_name->value)) == wanted) {
      return &node;
    }
  }
  return nullptr;
}

void respell(std::optional<std::string>& name, const JsonValue& node) {
  name = std::string(as_view(node["name"]));
}

// ---- The steps of MemberService::change ----

// The tenant whose members change; a deprovisioned one is refused. `join`: the invitee acts, with
// no permission of its own on the tenant.
Result<Tenant> changeable_tenant(store::ItemStore& store, const Context& ctx,
                                 std::string_view tenant_id, bool join) {
  auto tenant = join ? load_tenant(store, tenant_id)
                     : load_tenant_for(store, ctx, tenant_id, Action::ManageMembers);
  if (!tenant) {
    return tenant;
  }
  if (tenant->status == TenantStatus::Deprovisioned) {
    return Error::make(ErrorCode::TenantNotActive,
                       "The tenant is deprovisioned; its members cannot change")
        .with("currentStatus", std::string(domain::to_string(tenant->status)));
  }
  return tenant;
}

// The member before the change: absent when `adding` someone, else present (at If-Match's
// version when one is given).
Result<std::optional<Membership>> member_before(store::ItemStore& store, const Context& ctx,
                                                std::string_view tenant_id, const std::string& uid,
                                                const User* adding) {
  auto existing = read_membership(store, tenant_id, uid);
  if (!existing) {
    return existing;
  }
  if (adding != nullptr && existing->has_value()) {
    return Error::make(ErrorCode::UserAlreadyMember,
                       "User " + adding->email + " is already a member of this tenant")
        .with("userId", uid);
  }
  if (adding == nullptr && !existing->has_value()) {
    return user_not_found(uid);
  }
  if (adding == nullptr && ctx.if_match && *ctx.if_match != (*existing)->version) {
    return Error::make(
        ErrorCode::PreconditionFailed,
        "If-Match does not match the current version " + std::to_string((*existing)->version));
  }
  return existing;
}

struct MemberAfter {
  Membership after;
  bool placement_changed = false;
};

// The member as the change leaves it: a new one from `assign` (with `user`), else the existing
// one one version on, with `update` applied when given.
Result<MemberAfter> member_after(const Context& ctx, const Tenant& tenant,
                                 const std::optional<Membership>& existing, const User* user,
                                 const AssignMemberInput* assign, const UpdateMemberInput* update) {
  MemberAfter result;
  Membership& after = result.after;
  if (assign != nullptr) {
    after.tenant_id = tenant.tenant_id;
    after.user_id = user->user_id;
    after.email = user->email;
    after.role = assign->role;
    after.division = assign->division;
    after.group = assign->group;
    after.team = assign->team;
    after.assigned_at = ctx.now;
    after.assigned_by = ctx.principal.actor();
    after.version = 1;
    result.placement_changed = after.division.has_value();
  } else {
    after = *existing;
    after.version += 1;
  }
  if (update != nullptr) {
    if (update->role) {
      after.role = *update->role;
    }
    const auto apply = [&](const Patch<std::string>& patch, std::optional<std::string>& field) {
      if (patch.present && patch.value != field) {
        field = patch.value;
        result.placement_changed = true;
      }
    };
    apply(update->division, after.division);
    apply(update->group, after.group);
    apply(update->team, after.team);
    std::vector<FieldError> errors;
    domain::check_placement(after.division, after.group, after.team, errors);
    if (!errors.empty()) {
      return Error::validation(std::move(errors));
    }
  }
  return result;
}

// A changed placement must name a node of the tree, which the write then checks unchanged; a
// joining invitee whose node has gone since the invitation joins unplaced.
Status check_member_placement(store::ItemStore& store, std::string_view tenant_id,
                              Membership& after, bool placement_changed, bool join,
                              std::vector<store::WriteOp>& ops) {
  if (!placement_changed || !after.division) {
    return {};
  }
  auto found = hierarchy_has_node(store, tenant_id, after.division, after.group, after.team);
  if (!found) {
    return std::move(found).error();
  }
  if (!found->found && join) {
    after.division = after.group = after.team = std::nullopt;
  } else if (!found->found) {
    return not_in_hierarchy(after.group, after.team);
  }
  if (found->tree_version) {
    ops.emplace_back(store::Check{store::Table::Tenants,
                                  {records::tenant_pk(tenant_id), "HIERARCHY"},
                                  store::Condition::version_is(*found->tree_version)});
  }
  return {};
}

// Making or unmaking an Admin moves the tenant's admin counter; the last Admin stays.
Status count_admins(store::ItemStore& store, std::string_view tenant_id, const std::string& uid,
                    bool was_admin, bool is_admin, std::vector<store::WriteOp>& ops) {
  if (was_admin == is_admin) {
    return {};
  }
  auto counter = read_admin_counter(store, tenant_id);
  if (!counter) {
    return std::move(counter).error();
  }
  const std::int64_t new_count = counter->count + (is_admin ? 1 : -1);
  if (!is_admin && new_count < 1) {
    return Error::make(ErrorCode::CannotRemoveLastAdmin,
                       "The last Admin of a tenant cannot be removed or demoted")
        .with("userId", uid);
  }
  ops.push_back(admin_counter_put(tenant_id, *counter, new_count));
  return {};
}

// A new member is written where none is; a changed one under the version read.
store::WriteOp member_put(const Membership& after, const std::optional<Membership>& before) {
  return store::Put{
      store::Table::Tenants, records::membership_item(after),
      before ? store::Condition::version_is(before->version) : store::Condition::not_exists()};
}

store::WriteOp member_delete(std::string_view tenant_id, const std::string& uid,
                             const Membership& before) {
  return store::Delete{store::Table::Tenants, records::membership_key(tenant_id, uid),
                       store::Condition::version_is(before.version)};
}

// The tenant item with its memberCount moved by `delta`, under the version read.
store::WriteOp counted_tenant_put(const Context& ctx, const Tenant& tenant, int delta) {
  Tenant counted = tenant;
  counted.member_count += delta;
  counted.version += 1;
  counted.updated_at = ctx.now;
  counted.updated_by = ctx.principal.actor();
  return store::Put{store::Table::Tenants, records::tenant_item(counted),
                    store::Condition::version_is(tenant.version)};
}

}  // namespace

store::Key admin_counter_key(std::string_view tenant_id) {
  return {records::tenant_pk(tenant_id), "ADMINS"};
}

Error not_in_hierarchy(const std::optional<std::string>& group,
                       const std::optional<std::string>& team) {
  const char* deepest = team ? "team" : group ? "group" : "division";
  return Error::validation({{deepest, "NOT_IN_HIERARCHY",
                             "The placement does not name a node of the tenant's hierarchy; add "
                             "it with PUT /tenants/{id}/hierarchy first"}});
}

Result<PlacementCheck> hierarchy_has_node(store::ItemStore& store, std::string_view tenant_id,
                                          std::optional<std::string>& division,
                                          std::optional<std::string>& group,
                                          std::optional<std::string>& team) {
  if (!division) {
    return PlacementCheck{!group && !team, std::nullopt};
  }
  auto item = store.get(store::Table::Tenants, {records::tenant_pk(tenant_id), "HIERARCHY"});
  if (!item) {
    return std::move(item).error();
  }
  if (!item->has_value()) {
    return PlacementCheck{};
  }
  const auto doc = parse_json((*item)->data);
  if (!doc || !doc->IsObject()) {
    return Error::make(ErrorCode::InternalError, "stored hierarchy is unreadable");
  }
  const auto version_it = doc->FindMember("version");
  const std::optional<std::int64_t> version =
      version_it != doc->MemberEnd() && version_it->value.IsInt64()
          ? std::optional<std::int64_t>(version_it->value.GetInt64())
          : std::nullopt;
  const PlacementCheck missing{false, version};
  const JsonValue* div_node = find_child(*doc, "divisions", *division);
  if (div_node == nullptr) {
    return missing;
  }
  const JsonValue* group_node = nullptr;
  const JsonValue* team_node = nullptr;
  if (group) {
    group_node = find_child(*div_node, "groups", *group);
    if (group_node == nullptr) {
      return missing;
    }
  }
  if (team) {
    if (group_node == nullptr) {
      return missing;
    }
    team_node = find_child(*group_node, "teams", *team);
    if (team_node == nullptr) {
      return missing;
    }
  }
  respell(division, *div_node);
  if (group_node != nullptr) {
    respell(group, *group_node);
  }
  if (team_node != nullptr) {
    respell(team, *team_node);
  }
  return PlacementCheck{true, version};
}

MemberService::MemberService(store::ItemStore& store, Directory& directory, Ids& ids,
                             ChangeLogOptions options, MemberEvents events)
    : store_(store),
      directory_(directory),
      ids_(ids),
      options_(options),
      events_(std::move(events)) {}

void MemberService::committed(std::string_view event_type) {
  if (events_.committed) {
    events_.committed();
  }
  if (events_.counted) {
    events_.counted(event_type);
  }
}

Result<Membership> MemberService::assign(const Context& ctx, std::string_view tenant_id,
                                         const AssignMemberInput& input) {
  if (const std::string* made = request_effect::applied()) {
    return get(ctx, tenant_id, *made);
  }
  return change(ctx, tenant_id, Kind::Assign, {}, &input, nullptr);
}

Result<Membership> MemberService::update(const Context& ctx, std::string_view tenant_id,
                                         std::string_view user_id, const UpdateMemberInput& input) {
  return change(ctx, tenant_id, Kind::Update, user_id, nullptr, &input);
}

Status MemberService::remove(const Context& ctx, std::string_view tenant_id,
                             std::string_view user_id) {
  TENANTD_TRY(change(ctx, tenant_id, Kind::Remove, user_id, nullptr, nullptr));
  return {};
}

Result<Membership> MemberService::join(const Context& ctx, std::string_view tenant_id,
                                       const AssignMemberInput& input, const JoinWrites& also) {
  return change(ctx, tenant_id, Kind::Join, ctx.principal.sub, &input, nullptr, &also);
}

Result<Membership> MemberService::change(const Context& ctx, std::string_view tenant_id, Kind kind,
                                         std::string_view user_id, const AssignMemberInput* assign,
                                         const UpdateMemberInput* update, const JoinWrites* also) {
  const bool adds = kind == Kind::Assign || kind == Kind::Join;
  std::optional<User> user;  // resolved once, after the caller is known to be allowed
  if (kind == Kind::Join) {
    user = User{ctx.principal.sub, ctx.principal.email};
  }
  return retry_on_conflict<Membership>(
      kAttempts,
      [&]() -> Attempt<Membership> {
        auto tenant = changeable_tenant(store_, ctx, tenant_id, kind == Kind::Join);
        if (!tenant) {
          return std::move(tenant).error();
        }
        // The invitation decides first: a second accept of it is refused as not pending.
        std::vector<store::WriteOp> ops;
        if (also != nullptr) {
          auto extra = (*also)(*tenant);
          if (!extra) {
            return std::move(extra).error();
          }
          ops = std::move(*extra);
        }
        if (kind == Kind::Assign && !user) {
          auto resolved = assign->user_id
                              ? directory_.resolve_email_with_id(assign->email, *assign->user_id)
                              : directory_.resolve_email(assign->email);
          if (!resolved) {
            return std::move(resolved).error();
          }
          user = std::move(*resolved);
        }
        const std::string uid = adds ? user->user_id : std::string(user_id);
        auto existing = member_before(store_, ctx, tenant->tenant_id, uid, adds ? &*user : nullptr);
        if (!existing) {
          return std::move(existing).error();
        }
        auto decided = member_after(ctx, *tenant, *existing, adds ? &*user : nullptr,
                                    adds ? assign : nullptr, update);
        if (!decided) {
          return std::move(decided).error();
        }
        Membership& after = decided->after;
        TENANTD_TRY(check_member_placement(store_, tenant->tenant_id, after,
                                           decided->placement_changed, kind == Kind::Join, ops));
        const bool was_admin = existing->has_value() && (*existing)->role == TenantRole::Admin;
        const bool is_admin = kind != Kind::Remove && after.role == TenantRole::Admin;
        TENANTD_TRY(count_admins(store_, tenant->tenant_id, uid, was_admin, is_admin, ops));
        ops.push_back(kind == Kind::Remove ? member_delete(tenant->tenant_id, uid, **existing)
                                           : member_put(after, *existing));
        if (kind != Kind::Update) {
          // memberCount stays exact: the tenant item is rewritten under its version.
          ops.push_back(counted_tenant_put(ctx, *tenant, adds ? 1 : -1));
        }
        const char* event_type = adds                   ? "USER_ASSIGNED"
                                 : kind == Kind::Update ? "USER_UPDATED"
                                                        : "USER_REMOVED";
        records::record_change(
            ops, ctx, ids_, options_,
            records::Change{event_type, events::kTenantSource, tenant->tenant_id,
                            existing->has_value() ? membership_object(**existing) : "",
                            kind == Kind::Remove ? "" : membership_object(after), std::nullopt});
        if (kind == Kind::Assign) {
          request_effect::record(ops, uid);
        }
        const auto written = store_.write(std::move(ops));
        if (written.condition_failed()) {
          // Someone changed the tenant or this member meanwhile: decide again.
          return std::optional<Membership>{};
        }
        if (!written.ok()) {
          return Error::make(ErrorCode::ServiceUnavailable, "The store could not save the member");
        }
        committed(event_type);
        return std::optional<Membership>{kind == Kind::Remove ? **existing : after};
      },
      [] {
        return Error::make(ErrorCode::VersionConflict,
                           "The tenant's members changed concurrently too often; retry");
      });
}

Result<Page<Membership>> MemberService::list(const Context& ctx, std::string_view tenant_id,
                                             std::optional<TenantRole> role,
                                             const PageRequest& page) {
  auto tenant = load_tenant_for(store_, ctx, tenant_id, Action::ReadMembers);
  if (!tenant) {
    return std::move(tenant).error();
  }
  return records::list_memberships(store_, tenant->tenant_id, role, page);
}

Result<Membership> MemberService::get(const Context& ctx, std::string_view tenant_id,
                                      std::string_view user_id) {
  auto tenant = load_tenant_for(store_, ctx, tenant_id, Action::ReadMembers);
  if (!tenant) {
    return std::move(tenant).error();
  }
  auto m = read_membership(store_, tenant->tenant_id, user_id);
  if (!m) {
    return std::move(m).error();
  }
  if (!m->has_value()) {
    return user_not_found(user_id);
  }
  return std::move(**m);
}

Result<Membership> MemberService::own(const Context& ctx, std::string_view tenant_id) {
  auto m = read_membership(store_, tenant_id, ctx.principal.sub);
  if (!m) {
    return std::move(m).error();
  }
  if (!m->has_value()) {
    return user_not_found(ctx.principal.sub);
  }
  return std::move(**m);
}

Result<Page<UserTenant>> MemberService::tenants_of(const Context& ctx, std::string_view user_id,
                                                   const PageRequest& page) {
  const bool own = !ctx.principal.sub.empty() && user_id == ctx.principal.sub;
  if (!own) {
    if (!ctx.principal.platform_staff()) {
      return user_not_found(user_id);  // other users are out of reach: no existence leak
    }
    auto known = directory_.find_user(user_id);
    if (!known) {
      return std::move(known).error();
    }
    if (!known->has_value()) {
      return user_not_found(user_id);
    }
  }
  store::Query query;
  query.table = store::Table::Tenants;
  query.index = records::kMembersByUserIndex;
  query.pk = records::member_pk(user_id);
  query.sk = store::SortCondition::begins_with("TENANT#");
  query.limit = page.limit + 1;
  query.start_after = page.after;
  query.other_index_keys = false;
  auto items = store_.query(query);
  if (!items) {
    return std::move(items).error();
  }
  Page<UserTenant> out;
  const std::size_t wanted = static_cast<std::size_t>(page.limit);
  for (std::size_t i = 0; i < items->size() && i < wanted; ++i) {
    auto m = records::membership_from_item((*items)[i]);
    if (!m) {
      return std::move(m).error();
    }
    auto item = store_.get(store::Table::Tenants, records::tenant_key(m->tenant_id));
    if (!item) {
      return std::move(item).error();
    }
    if (!item->has_value()) {
      continue;  // memberships never outlive their tenant; tolerate it anyway
    }
    auto tenant = records::tenant_from_item(**item);
    if (!tenant) {
      return std::move(tenant).error();
    }
    out.items.push_back(UserTenant{tenant->tenant_id, tenant->organization_name, tenant->status,
                                   m->role, m->assigned_at});
  }
  if (items->size() > wanted && wanted > 0) {
    out.next = store::cursor_after((*items)[wanted - 1], query.index);
  }
  return out;
}

}  // namespace tenantd::service
