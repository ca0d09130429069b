#pragma once
// Member use cases (docs/members.md): assign, list, read, change and remove the members of a
// tenant, and list the tenants of a user. Every change is one transaction that also keeps the
// tenant's memberCount and the tenant's Admin counter exact, so racing changes serialise on them.
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/ids.hpp"
#include "domain/tenant.hpp"
#include "records/change_log.hpp"
#include "records/membership_record.hpp"
#include "service/context.hpp"
#include "service/directory.hpp"
#include "service/tenant_service.hpp"
#include "store/item_store.hpp"

namespace tenantd::service {

// A membership as the member use cases return it (the stored shape, records/membership_record.hpp).
using Membership = records::Membership;

// Already validated and normalised (trimmed names, e-mail) by the API's request decoding.
struct AssignMemberInput {
  std::string email;
  // The original API's assign names the user's id as well: it must be the directory's.
  std::optional<std::string> user_id;
  TenantRole role = TenantRole::Viewer;
  std::optional<std::string> division;
  std::optional<std::string> group;
  std::optional<std::string> team;
};

struct UpdateMemberInput {
  std::optional<TenantRole> role;
  Patch<std::string> division;
  Patch<std::string> group;
  Patch<std::string> team;
};

// One row of GET /users/{userId}/tenants.
struct UserTenant {
  std::string tenant_id;
  std::string organization_name;
  domain::TenantStatus status = domain::TenantStatus::Pending;
  TenantRole role = TenantRole::Viewer;
  TimePoint assigned_at;
};

struct MemberEvents {
  std::function<void()> committed;                // wakes the outbox dispatcher; may be empty
  std::function<void(std::string_view)> counted;  // business metric by event type; may be empty
};

// The admin counter item of a tenant: PK=TENANT#{tid} SK=ADMINS {tenantId, adminCount, version}.
store::Key admin_counter_key(std::string_view tenant_id);

// True when division/group/team (each optional, deepest given last) names a node of the tenant's
// hierarchy item (PK=TENANT#{tid} SK=HIERARCHY), compared case-insensitively. On success the
// names are rewritten to the tree's spelling. A tenant without a tree has no nodes.
struct PlacementCheck {
  bool found = false;
  // The version of the tree that was read, when one was: the write checks it, so that a
  // hierarchy PUT removing the node in between makes the write fail and be decided again.
  std::optional<std::int64_t> tree_version;
};
// 422 VALIDATION_ERROR NOT_IN_HIERARCHY on the deepest placement field given.
Error not_in_hierarchy(const std::optional<std::string>& group,
                       const std::optional<std::string>& team);

Result<PlacementCheck> hierarchy_has_node(store::ItemStore& store, std::string_view tenant_id,
                                          std::optional<std::string>& division,
                                          std::optional<std::string>& group,
                                          std::optional<std::string>& team);

// The writes an accepted invitation adds to the membership's transaction, decided afresh on
// every attempt against the tenant as read by that attempt.
using JoinWrites = std::function<Result<std::vector<store::WriteOp>>(const domain::Tenant&)>;

class MemberService {
 public:
  MemberService(store::ItemStore& store, Directory& directory, Ids& ids, ChangeLogOptions options,
                MemberEvents events);

  Result<Membership> assign(const Context& ctx, std::string_view tenant_id,
                            const AssignMemberInput& input);
  Result<Page<Membership>> list(const Context& ctx, std::string_view tenant_id,
                                std::optional<TenantRole> role, const PageRequest& page);
  Result<Membership> get(const Context& ctx, std::string_view tenant_id, std::string_view user_id);
  // The caller's own membership, which every member may read (a Viewer cannot read the others').
  Result<Membership> own(const Context& ctx, std::string_view tenant_id);
  // Honours ctx.if_match against the membership's version.
  Result<Membership> update(const Context& ctx, std::string_view tenant_id,
                            std::string_view user_id, const UpdateMemberInput& input);
  Status remove(const Context& ctx, std::string_view tenant_id, std::string_view user_id);
  // The caller joins the tenant (an accepted invitation, docs/invitations.md): the caller's own
  // identity becomes the member, `also` stands in for the caller's role and adds its writes.
  // A placement that has left the hierarchy since the invitation was sent is dropped.
  Result<Membership> join(const Context& ctx, std::string_view tenant_id,
                          const AssignMemberInput& input, const JoinWrites& also);
  // A principal reads its own tenants; platform staff read anybody's. Others: 404 USER_NOT_FOUND.
  Result<Page<UserTenant>> tenants_of(const Context& ctx, std::string_view user_id,
                                      const PageRequest& page);

 private:
  enum class Kind { Assign, Join, Update, Remove };
  Result<Membership> change(const Context& ctx, std::string_view tenant_id, Kind kind,
                            std::string_view user_id, const AssignMemberInput* assign,
                            const UpdateMemberInput* update, const JoinWrites* also = nullptr);
  void committed(std::string_view event_type);

  store::ItemStore& store_;
  Directory& directory_;
  Ids& ids_;
  ChangeLogOptions options_;
  MemberEvents events_;
};

}  // namespace tenantd::service
