#pragma once
// Memberships as store items (docs/members.md and docs/storage.md): PK=TENANT#{tid}, SK=USER#{uid};
// GSI1 "MEMBER#{uid}" / "TENANT#{tid}" lists a user's tenants; GSI2 "TENANT_ROLE#{tid}#{role}" /
// "USER#{uid}" lists a tenant's members with one role. Shared by the member and hierarchy code.
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/json.hpp"
#include "core/result.hpp"
#include "service/context.hpp"
#include "service/policy.hpp"
#include "store/item_store.hpp"

namespace tenantd::records {

inline constexpr int kMembersByUserIndex = 1;  // "MEMBER#<uid>" / "TENANT#<tid>"
inline constexpr int kMembersByRoleIndex = 2;  // "TENANT_ROLE#<tid>#<role>" / "USER#<uid>"
inline constexpr std::string_view kMembershipSkPrefix = "USER#";

struct Membership {
  std::string tenant_id;
  std::string user_id;
  std::string email;
  service::TenantRole role = service::TenantRole::Viewer;
  std::optional<std::string> division;
  std::optional<std::string> group;
  std::optional<std::string> team;
  TimePoint assigned_at;
  std::string assigned_by;
  std::int64_t version = 1;
};

store::Key membership_key(std::string_view tenant_id, std::string_view user_id);  // TENANT#/USER#
std::string member_pk(std::string_view user_id);                                  // "MEMBER#<uid>"
std::string role_index_pk(std::string_view tenant_id, service::TenantRole role);  // GSI2 pk
// Every stored attribute of the membership (API names; the API encodes its own, api/encoders).
void write_membership_attributes(JsonWriter& out, const Membership& membership);
store::Item membership_item(const Membership& membership);
Result<Membership> membership_from_item(const store::Item& item);

// One page of a tenant's memberships in user-id order (the table query PK=TENANT#{tid}
// begins_with USER#); `role` narrows it through GSI2.
Result<service::Page<Membership>> list_memberships(store::ItemStore& store,
                                                   std::string_view tenant_id,
                                                   std::optional<service::TenantRole> role,
                                                   const service::PageRequest& page);

// Every membership of a tenant (pages through the whole list; for hierarchy rewrites).
Result<std::vector<Membership>> all_memberships(store::ItemStore& store,
                                                std::string_view tenant_id);

}  // namespace tenantd::records
