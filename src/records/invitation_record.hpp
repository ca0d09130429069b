#pragma once
// Invitations as store items (docs/invitations.md and docs/storage.md) in bbws-invitations-{env}:
//   invitation  PK=INVITATION#{id}  SK=METADATA, indexed for every list the API offers:
//     GSI1 TENANT#{tid} / {createdAt}#{id}                    a tenant's invitations
//     GSI2 TENANT_OPEN#{tid} / {expiresAt}#{id}               its PENDING and EXPIRED ones
//          TENANT_STATUS#{tid}#{status} / {createdAt}#{id}    its ACCEPTED, DECLINED, CANCELLED
//     GSI3 INVITATIONS / {createdAt}#{id}                     all (platform staff)
//     GSI4 OPEN / {expiresAt}#{id}, STATUS#{status} / ...     all by status
//     GSI5 EMAIL#{email} / {createdAt}#{id}                   by invitee
//     GSI6 PENDING_EXPIRY / {expiresAt}#{id}                  stored PENDING only: the sweep
//   guard       PK=TENANT#{tid}#EMAIL#{email}  SK=PENDING_INVITATION {invitationId, version}
// PENDING and EXPIRED share a partition sorted by expiresAt, so that "shown as EXPIRED as soon
// as expiresAt passes" is an exact key range (expiresAt <= now) before the sweep stores it.
#include <optional>
#include <string>
#include <string_view>

#include "core/json.hpp"
#include "core/result.hpp"
#include "domain/invitation.hpp"
#include "store/item_store.hpp"

namespace tenantd::records {

inline constexpr int kInvitationsByTenantIndex = 1;
inline constexpr int kInvitationsByTenantStatusIndex = 2;
inline constexpr int kAllInvitationsIndex = 3;
inline constexpr int kInvitationsByStatusIndex = 4;
inline constexpr int kInvitationsByEmailIndex = 5;
inline constexpr int kPendingExpiryIndex = 6;

store::Key invitation_key(std::string_view invitation_id);

// The stored attributes but the token hash (the API encodes its own, api/encoders), with
// `status` as the reader sees it; also the objects of audit entries and events.
void write_invitation_attributes(JsonWriter& out, const domain::Invitation& invitation,
                                 domain::InvitationStatus status);
std::string invitation_json(const domain::Invitation& invitation, TimePoint now);

store::Item invitation_item(const domain::Invitation& invitation);
Result<domain::Invitation> invitation_from_item(const store::Item& item);

// Where one list reads: an index partition and a key range within it.
struct InvitationRange {
  int index = kAllInvitationsIndex;
  std::string pk;
  store::SortCondition sk;
};
// A tenant's invitations (all, or those showing `status` at `now`).
InvitationRange tenant_range(std::string_view tenant_id,
                             std::optional<domain::InvitationStatus> status, TimePoint now);
// Everybody's invitations (all, or those showing `status` at `now`).
InvitationRange global_range(std::optional<domain::InvitationStatus> status, TimePoint now);
// The invitations sent to one e-mail address.
InvitationRange email_range(std::string_view email);
// Stored PENDING invitations whose expiresAt is at or before `now`.
InvitationRange expiry_due_range(TimePoint now);

// The guard that keeps one PENDING invitation per (tenant, email).
struct PendingGuard {
  std::string invitation_id;
  std::int64_t version = 0;  // 0: no guard item
};
store::Key pending_guard_key(std::string_view tenant_id, std::string_view email);
Result<PendingGuard> read_pending_guard(store::ItemStore& store, std::string_view tenant_id,
                                        std::string_view email);
// Points the guard at `invitation_id`, conditioned on the guard read as `before`.
store::WriteOp pending_guard_put(std::string_view tenant_id, std::string_view email,
                                 std::string_view invitation_id, const PendingGuard& before);

}  // namespace tenantd::records
