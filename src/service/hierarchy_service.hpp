#pragma once
// The organisation hierarchy use cases (docs/hierarchy.md). The tree of a tenant is one item
// (PK=TENANT#{id}, SK=HIERARCHY) whose integer `version` guards every change. Tenants get it on
// create (version 1); one created before the hierarchy existed reads as the empty tree at
// version 0 until its first PUT.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "domain/hierarchy.hpp"
#include "records/change_log.hpp"
#include "service/context.hpp"
#include "service/tenant_service.hpp"
#include "store/item_store.hpp"

namespace tenantd::service {

// The most memberships one cascading PUT may rewrite: a transaction holds at most 100 writes,
// four of which are the tree, the tenant check, the audit entry and the outbox event.
inline constexpr std::size_t kMaxCascadeMembers = 96;

store::Key hierarchy_key(std::string_view tenant_id);

// A stored tree and its bookkeeping.
struct StoredTree {
  domain::Tree tree;
  std::int64_t version = 0;  // 0: no tree item yet
  std::optional<TimePoint> updated_at;
  std::optional<std::string> updated_by;
};

// What GET and PUT answer.
struct HierarchyView {
  std::string tenant_id;
  domain::Tree tree;
  domain::TreeCounts counts;
  std::int64_t version = 0;
  std::optional<TimePoint> updated_at;
};

class HierarchyService {
 public:
  // `committed` wakes the outbox dispatcher after a write; may be empty.
  HierarchyService(store::ItemStore& store, Ids& ids, ChangeLogOptions options,
                   std::function<void()> committed);

  // GET /tenants/{id}/hierarchy (ReadMembers).
  Result<HierarchyView> get(const Context& ctx, std::string_view tenant_id);
  // PUT /tenants/{id}/hierarchy (UpdateTenant): `tree` replaces the whole tree. Removing nodes
  // with members is HIERARCHY_NOT_EMPTY unless `cascade`, which cuts those members' placement
  // back to what remains; removing the tenant's own node is always refused.
  Result<HierarchyView> put(const Context& ctx, std::string_view tenant_id, domain::Tree tree,
                            bool cascade);

  // For other capabilities, which have authorised the caller already.
  // Whether the path names a node of the tenant's tree (case-insensitive).
  Result<bool> has_node(std::string_view tenant_id, const std::optional<std::string>& division,
                        const std::optional<std::string>& group,
                        const std::optional<std::string>& team);
  // For a write that places someone: VALIDATION_ERROR (field errors with code NOT_IN_HIERARCHY on
  // "division"/"group"/"team") when the path is not a node, else the writes to add to the same
  // transaction so that it fails if the tree changes before it commits (empty for no placement).
  Result<std::vector<store::WriteOp>> placement_guard(std::string_view tenant_id,
                                                      const domain::Placement& placement);
  // Keeps the tenant's own division/group/team a node of the tree: seeds the tree on create,
  // refuses an update naming a path the tree does not have. Register in TenantEvents.hooks.
  TenantChangeHook tenant_hook();

  Result<StoredTree> load_tree(std::string_view tenant_id);

 private:
  store::ItemStore& store_;
  Ids& ids_;
  ChangeLogOptions options_;
  std::function<void()> committed_;
};

// The stored JSON of a tree item and back (attributes as in the API).
std::string tree_json(std::string_view tenant_id, const StoredTree& stored);
Result<StoredTree> tree_from_json(std::string_view json);

}  // namespace tenantd::service
