#include "service/hierarchy_service.hpp"

#include "core/json.hpp"
#include "events/outbox_event.hpp"
#include "records/tenant_record.hpp"
#include "service/access.hpp"

namespace tenantd::service {

using domain::Placement;
using domain::Tree;

namespace {

constexpr std::string_view kHierarchySk = "HIERARCHY";
constexpr std::string_view kMembershipPrefix = "USER#";
constexpr int kMembershipPage = 100;

std::optional<std::string> string_field(const JsonValue& object, const char* name) {
  const auto it = object.FindMember(name);
  if (it == object.MemberEnd() || !it->value.IsString()) {
    return std::nullopt;
  }
  return std::string(as_view(it->value));
}

void write_divisions(JsonWriter& out, const Tree& tree) {
  out.key("divisions").begin_array();
  for (const auto& division : tree.divisions) {
    out.begin_object().field("name", division.name).key("groups").begin_array();
    for (const auto& group : division.groups) {
      out.begin_object().field("name", group.name).key("teams").begin_array();
      for (const auto& team : group.teams) {
        out.begin_object().field("name", team.name).end_object();
      }
      out.end_array().end_object();
    }
    out.end_array().end_object();
  }
  out.end_array();
}

Error unreadable_tree() {
  return Error::make(ErrorCode::InternalError, "stored hierarchy is unreadable");
}

// Names read from a stored array of {name, <children>} objects.
template <class Node, class Fill>
Status read_nodes(const JsonValue& parent, const char* field, std::vector<Node>& nodes, Fill fill) {
  const auto it = parent.FindMember(field);
  if (it == parent.MemberEnd()) {
    return {};
  }
  if (!it->value.IsArray()) {
    return unreadable_tree();
  }
  for (const auto& element : it->value.GetArray()) {
    if (!element.IsObject()) {
      return unreadable_tree();
    }
    auto name = string_field(element, "name");
    if (!name) {
      return unreadable_tree();
    }
    Node node{};
    node.name = std::move(*name);
    if (auto ok = fill(element, node); !ok) {
      return ok;
    }
    nodes.push_back(std::move(node));
  }
  return {};
}

// A membership as the cascade needs it: the item to rewrite and where it is placed.
struct PlacedMember {
  store::Item item;
  std::string user_id;
  Placement placement;
};

Result<std::vector<PlacedMember>> read_members(store::ItemStore& store,
                                               std::string_view tenant_id) {
  store::Query q;
  q.table = store::Table::Tenants;
  q.pk = records::tenant_pk(tenant_id);
  q.sk = store::SortCondition::begins_with(std::string(kMembershipPrefix));
  q.limit = kMembershipPage;
  std::vector<PlacedMember> members;
  while (true) {
    auto items = store.query(q);
    if (!items) {
      return std::move(items).error();
    }
    for (auto& item : *items) {
      const auto doc = parse_json(item.data);
      if (!doc || !doc->IsObject()) {
        return Error::make(ErrorCode::InternalError, "stored membership is unreadable");
      }
      PlacedMember member;
      member.user_id = item.sk.substr(kMembershipPrefix.size());
      member.placement.division = string_field(*doc, "division");
      member.placement.group = string_field(*doc, "group");
      member.placement.team = string_field(*doc, "team");
      member.item = std::move(item);
      members.push_back(std::move(member));
    }
    if (static_cast<int>(items->size()) < q.limit) {
      return members;
    }
    q.start_after = store::cursor_after(members.back().item, 0);
  }
}

std::vector<Placement> placements_of(const std::vector<PlacedMember>& members) {
  std::vector<Placement> out;
  out.reserve(members.size());
  for (const auto& member : members) {
    out.push_back(member.placement);
  }
  return out;
}

// The membership item with its placement cut back to `placement` and its version bumped,
// conditional on the version read.
Result<store::WriteOp> rewrite_membership(const PlacedMember& member, const Placement& placement,
                                          const Context& ctx) {
  auto doc = parse_json(member.item.data);
  if (!doc || !doc->IsObject()) {
    return Error::make(ErrorCode::InternalError, "stored membership is unreadable");
  }
  auto& alloc = doc->GetAllocator();
  // Mutable member iterators compare ambiguously under C++20, so look fields up by name.
  if (!doc->HasMember("version") || !(*doc)["version"].IsInt64()) {
    return Error::make(ErrorCode::InternalError, "stored membership has no version");
  }
  const std::int64_t version = (*doc)["version"].GetInt64();
  (*doc)["version"].SetInt64(version + 1);
  if (!placement.team) {
    doc->RemoveMember("team");
  }
  if (!placement.group) {
    doc->RemoveMember("group");
  }
  if (!placement.division) {
    doc->RemoveMember("division");
  }
  const std::string now = format_time(ctx.now);
  if (doc->HasMember("updatedAt")) {
    (*doc)["updatedAt"].SetString(now.data(), static_cast<rapidjson::SizeType>(now.size()), alloc);
  }
  if (doc->HasMember("updatedBy")) {
    const std::string& actor = ctx.principal.actor();
    (*doc)["updatedBy"].SetString(actor.data(), static_cast<rapidjson::SizeType>(actor.size()),
                                  alloc);
  }
  store::Item item = member.item;
  item.data = to_json(*doc);
  return store::WriteOp{
      store::Put{store::Table::Tenants, std::move(item), store::Condition::version_is(version)}};
}

Placement placement_of(const domain::Tenant& tenant) {
  return Placement{tenant.division, tenant.group, tenant.team};
}

bool same_placement(const Placement& a, const Placement& b) {
  const auto same = [](const std::optional<std::string>& x, const std::optional<std::string>& y) {
    return x.has_value() == y.has_value() && (!x || domain::same_name(*x, *y));
  };
  return same(a.division, b.division) && same(a.group, b.group) && same(a.team, b.team);
}

// The field errors naming the first part of `placement` that the tree does not have.
Error not_in_hierarchy(const Tree& tree, const Placement& placement) {
  std::string field = "team";
  std::string name = placement.team.value_or("");
  if (!domain::node_exists(tree, placement.division, std::nullopt, std::nullopt)) {
    field = "division";
    name = *placement.division;
  } else if (placement.group &&
             !domain::node_exists(tree, placement.division, placement.group, std::nullopt)) {
    field = "group";
    name = *placement.group;
  }
  return Error::validation({{field, "NOT_IN_HIERARCHY",
                             field + " '" + name +
                                 "' is not a node of the tenant's hierarchy; add it with PUT "
                                 "/tenants/{id}/hierarchy first"}});
}

store::Item tree_item(std::string_view tenant_id, const StoredTree& stored) {
  store::Item item;
  item.pk = records::tenant_pk(tenant_id);
  item.sk = std::string(kHierarchySk);
  item.data = tree_json(tenant_id, stored);
  return item;
}

// ---- The steps of HierarchyService::put ----

// The tenant's own placement is part of the tenant: it moves with PUT /tenants/{id} first.
Status check_own_placement(const domain::Tenant& tenant,
                           const std::vector<domain::NodePath>& removed) {
  const Placement own = placement_of(tenant);
  for (const auto& node : removed) {
    if (domain::placed_under(own, node)) {
      return Error::make(ErrorCode::HierarchyNotEmpty,
                         "The tenant itself is placed at '" + node.display() +
                             "'; change the tenant's division/group/team before removing it")
          .with("nodes", std::vector<std::string>{node.display()})
          .with("tenantPlacement", domain::NodePath{*own.division, own.group, own.team}.display());
    }
  }
  return {};
}

// The members whose node the change removes, refused unless `cascade` and at most
// kMaxCascadeMembers of them.
Result<std::vector<const PlacedMember*>> displaced_members(
    const std::vector<PlacedMember>& members, const Tree& before, const Tree& after,
    const std::vector<domain::NodePath>& removed, bool cascade) {
  std::vector<std::string> non_empty;
  for (const auto& node : removed) {
    for (const auto& member : members) {
      if (domain::placed_under(member.placement, node)) {
        non_empty.push_back(node.display());
        break;
      }
    }
  }
  std::vector<const PlacedMember*> displaced;
  for (const auto& member : members) {
    if (!member.placement.empty() && !domain::node_exists(after, member.placement) &&
        domain::node_exists(before, member.placement)) {
      displaced.push_back(&member);
    }
  }
  if (!non_empty.empty() && !cascade) {
    return Error::make(ErrorCode::HierarchyNotEmpty,
                       "Members are placed at or under nodes this change removes; move them "
                       "first or use ?cascade=true")
        .with("nodes", std::move(non_empty))
        .with("memberCount", static_cast<std::int64_t>(displaced.size()));
  }
  if (displaced.size() > kMaxCascadeMembers) {
    return Error::make(ErrorCode::HierarchyNotEmpty,
                       "The cascade would move " + std::to_string(displaced.size()) +
                           " members; one request moves at most " +
                           std::to_string(kMaxCascadeMembers) +
                           ". Move some members first, or remove fewer nodes at once")
        .with("nodes", std::move(non_empty))
        .with("memberCount", static_cast<std::int64_t>(displaced.size()))
        .with("maxCascadeMembers", static_cast<std::int64_t>(kMaxCascadeMembers));
  }
  return displaced;
}

// The tree as the change log records it, with the members a cascade moved.
std::string change_json(const StoredTree& stored, const std::vector<std::string>& moved) {
  JsonWriter out;
  out.begin_object();
  write_divisions(out, stored.tree);
  out.field("version", stored.version);
  if (!moved.empty()) {
    out.key("movedMembers").begin_array();
    for (const auto& user_id : moved) {
      out.value(user_id);
    }
    out.end_array();
  }
  out.end_object();
  return out.str();
}

HierarchyView view_of(std::string_view tenant_id, StoredTree stored,
                      const std::vector<Placement>& placements) {
  HierarchyView view;
  view.tenant_id = std::string(tenant_id);
  view.counts = domain::count_members(stored.tree, placements);
  view.tree = std::move(stored.tree);
  view.version = stored.version;
  view.updated_at = stored.updated_at;
  return view;
}

}  // namespace

store::Key hierarchy_key(std::string_view tenant_id) {
  return {records::tenant_pk(tenant_id), std::string(kHierarchySk)};
}

std::string tree_json(std::string_view tenant_id, const StoredTree& stored) {
  JsonWriter out;
  out.begin_object().field("tenantId", tenant_id);
  write_divisions(out, stored.tree);
  out.field("version", stored.version);
  if (stored.updated_at) {
    out.field("updatedAt", format_time(*stored.updated_at));
  }
  out.field("updatedBy", stored.updated_by);
  out.end_object();
  return out.str();
}

Result<StoredTree> tree_from_json(std::string_view json) {
  const auto doc = parse_json(json);
  if (!doc || !doc->IsObject()) {
    return unreadable_tree();
  }
  StoredTree stored;
  const auto version = doc->FindMember("version");
  if (version == doc->MemberEnd() || !version->value.IsInt64()) {
    return unreadable_tree();
  }
  stored.version = version->value.GetInt64();
  if (auto at = string_field(*doc, "updatedAt")) {
    stored.updated_at = parse_time(*at);
  }
  stored.updated_by = string_field(*doc, "updatedBy");
  auto read = read_nodes(
      *doc, "divisions", stored.tree.divisions,
      [](const JsonValue& d, domain::DivisionNode& division) {
        return read_nodes(
            d, "groups", division.groups, [](const JsonValue& g, domain::GroupNode& group) {
              return read_nodes(g, "teams", group.teams,
                                [](const JsonValue&, domain::TeamNode&) { return Status{}; });
            });
      });
  if (!read) {
    return std::move(read).error();
  }
  return stored;
}

HierarchyService::HierarchyService(store::ItemStore& store, Ids& ids, ChangeLogOptions options,
                                   std::function<void()> committed)
    : store_(store), ids_(ids), options_(options), committed_(std::move(committed)) {}

Result<StoredTree> HierarchyService::load_tree(std::string_view tenant_id) {
  auto item = store_.get(store::Table::Tenants, hierarchy_key(tenant_id));
  if (!item) {
    return std::move(item).error();
  }
  if (!item->has_value()) {
    return StoredTree{};
  }
  return tree_from_json((*item)->data);
}

Result<HierarchyView> HierarchyService::get(const Context& ctx, std::string_view tenant_id) {
  TENANTD_TRY(load_tenant_for(store_, ctx, tenant_id, Action::ReadMembers));
  auto stored = load_tree(tenant_id);
  if (!stored) {
    return std::move(stored).error();
  }
  auto members = read_members(store_, tenant_id);
  if (!members) {
    return std::move(members).error();
  }
  return view_of(tenant_id, std::move(*stored), placements_of(*members));
}

Result<HierarchyView> HierarchyService::put(const Context& ctx, std::string_view tenant_id,
                                            Tree tree, bool cascade) {
  auto tenant = load_tenant_for(store_, ctx, tenant_id, Action::UpdateTenant);
  if (!tenant) {
    return std::move(tenant).error();
  }
  if (tenant->status == domain::TenantStatus::Deprovisioned) {
    return domain::invalid_transition(tenant->status, tenant->status);
  }
  tree = domain::trimmed(std::move(tree));
  if (auto errors = domain::validate_tree(tree); !errors.empty()) {
    return Error::validation(std::move(errors));
  }
  auto before = load_tree(tenant_id);
  if (!before) {
    return std::move(before).error();
  }
  if (ctx.if_match && *ctx.if_match != before->version) {
    return Error::make(ErrorCode::PreconditionFailed,
                       "If-Match does not match the hierarchy's current version " +
                           std::to_string(before->version));
  }
  const auto removed = domain::removed_nodes(before->tree, tree);
  TENANTD_TRY(check_own_placement(*tenant, removed));
  auto members = read_members(store_, tenant_id);
  if (!members) {
    return std::move(members).error();
  }
  auto displaced = displaced_members(*members, before->tree, tree, removed, cascade);
  if (!displaced) {
    return std::move(displaced).error();
  }

  StoredTree after;
  after.tree = std::move(tree);
  after.version = before->version + 1;
  after.updated_at = ctx.now;
  after.updated_by = ctx.principal.actor();

  std::vector<store::WriteOp> ops;
  ops.emplace_back(store::Put{store::Table::Tenants, tree_item(tenant_id, after),
                              store::Condition::unchanged_since(before->version)});
  // The tenant's placement was checked against this version of the tenant.
  ops.emplace_back(store::Check{store::Table::Tenants, records::tenant_key(tenant_id),
                                store::Condition::version_is(tenant->version)});
  std::vector<Placement> placements = placements_of(*members);
  std::vector<std::string> moved;
  for (const PlacedMember* member : *displaced) {
    const Placement kept = domain::surviving_placement(after.tree, member->placement);
    auto op = rewrite_membership(*member, kept, ctx);
    if (!op) {
      return std::move(op).error();
    }
    ops.push_back(std::move(*op));
    placements[static_cast<std::size_t>(member - members->data())] = kept;
    moved.push_back(member->user_id);
  }
  records::record_change(
      ops, ctx, ids_, options_,
      records::Change{"HIERARCHY_UPDATED", events::kTenantSource, std::string(tenant_id),
                      change_json(*before, {}), change_json(after, moved), std::nullopt});

  const auto written = store_.write(std::move(ops));
  if (written.condition_failed()) {
    if (written.failed_op == 0 && ctx.if_match) {
      return Error::make(ErrorCode::PreconditionFailed,
                         "The hierarchy changed since the version given in If-Match");
    }
    return Error::make(ErrorCode::VersionConflict,
                       "The hierarchy, the tenant or a member changed during this request; read "
                       "again and retry");
  }
  if (!written.ok()) {
    return Error::make(ErrorCode::ServiceUnavailable, "The store could not save the hierarchy");
  }
  if (committed_) {
    committed_();
  }
  return view_of(tenant_id, std::move(after), placements);
}

Result<bool> HierarchyService::has_node(std::string_view tenant_id,
                                        const std::optional<std::string>& division,
                                        const std::optional<std::string>& group,
                                        const std::optional<std::string>& team) {
  auto stored = load_tree(tenant_id);
  if (!stored) {
    return std::move(stored).error();
  }
  return domain::node_exists(stored->tree, division, group, team);
}

Result<std::vector<store::WriteOp>> HierarchyService::placement_guard(std::string_view tenant_id,
                                                                      const Placement& placement) {
  std::vector<store::WriteOp> ops;
  if (placement.empty() && !placement.group && !placement.team) {
    return ops;
  }
  auto stored = load_tree(tenant_id);
  if (!stored) {
    return std::move(stored).error();
  }
  if (placement.empty() || !domain::node_exists(stored->tree, placement)) {
    if (placement.empty()) {
      return Error::validation({{placement.group ? "group" : "team", "DEPENDENCY",
                                 "a group needs a division and a team needs a group"}});
    }
    return not_in_hierarchy(stored->tree, placement);
  }
  ops.emplace_back(store::Check{store::Table::Tenants, hierarchy_key(tenant_id),
                                store::Condition::version_is(stored->version)});
  return ops;
}

TenantChangeHook HierarchyService::tenant_hook() {
  return [this](const Context& ctx, const domain::Tenant* before,
                const domain::Tenant& after) -> Result<std::vector<store::WriteOp>> {
    std::vector<store::WriteOp> ops;
    const Placement wanted = placement_of(after);
    if (before == nullptr) {
      // Every new tenant gets its tree item (version 1, as every entity starts), so that
      // If-Match works from the first PUT; its placement, when given, seeds the tree.
      StoredTree seed;
      seed.tree = domain::tree_of(wanted);
      seed.version = 1;
      seed.updated_at = ctx.now;
      seed.updated_by = ctx.principal.actor();
      ops.emplace_back(store::Put{store::Table::Tenants, tree_item(after.tenant_id, seed),
                                  store::Condition::not_exists()});
      return ops;
    }
    if (wanted.empty() || same_placement(wanted, placement_of(*before))) {
      return ops;
    }
    return placement_guard(after.tenant_id, wanted);
  };
}

}  // namespace tenantd::service
