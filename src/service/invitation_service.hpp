#pragma once
// Invitation use cases (docs/invitations.md): invite by e-mail, list, read, cancel, resend, accept,
// decline, and the sweep that stores EXPIRED. Every change is one transaction with its audit
// entry and outbox event; the plain token exists only sealed inside the notification event.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/derived_key.hpp"
#include "core/ids.hpp"
#include "domain/invitation.hpp"
#include "records/change_log.hpp"
#include "service/context.hpp"
#include "service/directory.hpp"
#include "service/member_service.hpp"
#include "service/retry.hpp"
#include "store/item_store.hpp"

namespace tenantd::service {

// Already validated and normalised (trimmed names, lower-case e-mail) by the API's decoding.
struct CreateInvitationInput {
  std::string email;
  TenantRole role = TenantRole::Viewer;
  std::optional<std::string> division;
  std::optional<std::string> group;
  std::optional<std::string> team;
  std::optional<std::string> message;
};

struct InvitationFilter {
  std::optional<std::string> tenant_id;
  std::optional<domain::InvitationStatus> status;
  std::optional<std::string> email;
};

struct InvitationOptions {
  std::chrono::seconds ttl{7 * 24 * 3600};
  // The accept link: {invitationId}, {token} and {tenantId} are filled in.
  std::string accept_url_template;
  DerivedKey seal_key;  // 32 bytes; seals the accept URL inside the outbox event
  ChangeLogOptions change_log;
};

struct InvitationEvents {
  std::function<void()> committed;                // wakes the outbox dispatcher; may be empty
  std::function<void(std::string_view)> counted;  // business metric by event type; may be empty
};

class InvitationService {
 public:
  InvitationService(store::ItemStore& store, Directory& directory, MemberService& members, Ids& ids,
                    InvitationOptions options, InvitationEvents events);

  Result<domain::Invitation> create(const Context& ctx, std::string_view tenant_id,
                                    const CreateInvitationInput& input);
  // Without filter.tenant_id, platform staff see every invitation and anyone else those of the
  // tenants it administers. Pages are in creation order (by expiresAt for PENDING / EXPIRED).
  Result<Page<domain::Invitation>> list(const Context& ctx, const InvitationFilter& filter,
                                        const PageRequest& page);
  // Readable by whoever may read the tenant's invitations, and by the invitee.
  Result<domain::Invitation> get(const Context& ctx, std::string_view invitation_id);
  Result<domain::Invitation> cancel(const Context& ctx, std::string_view invitation_id);
  Result<domain::Invitation> resend(const Context& ctx, std::string_view invitation_id);
  Result<Membership> accept(const Context& ctx, std::string_view invitation_id,
                            std::string_view token);
  Result<domain::Invitation> decline(const Context& ctx, std::string_view invitation_id,
                                     std::string_view token);

  // Stores EXPIRED (and emits INVITATION_EXPIRED, once each) for up to `max` invitations whose
  // expiresAt is at or before ctx.now; returns how many it stored.
  Result<std::size_t> expire_due(const Context& ctx, std::size_t max);

 private:
  struct Loaded {
    domain::Invitation invitation;
    domain::Tenant tenant;
  };
  Result<domain::Invitation> read(std::string_view invitation_id);
  Result<Loaded> load_for(const Context& ctx, std::string_view invitation_id, Action action);
  // The invitation's tenant if the caller may do `action` there; out of reach is 404
  // INVITATION_NOT_FOUND, as if the invitation did not exist.
  Result<domain::Tenant> tenant_for(const Context& ctx, const domain::Invitation& invitation,
                                    Action action);
  Result<domain::Invitation> answer(const Context& ctx, std::string_view invitation_id,
                                    std::string_view token, bool accept, Membership* joined);
  // Appends the write of `after` over `before` (conditioned on before's version), its audit
  // entry and its outbox event (with `sealed_detail`, if any) to `ops`.
  void record_transition(std::vector<store::WriteOp>& ops, const Context& ctx,
                         const domain::Invitation& before, const domain::Invitation& after,
                         std::string event_type, std::string sealed_detail = {});
  Status release_guard(std::vector<store::WriteOp>& ops, const domain::Invitation& invitation);
  Status claim_guard(std::vector<store::WriteOp>& ops, const domain::Invitation& invitation,
                     TimePoint now);
  std::string sealed_accept_url(const domain::Invitation& invitation, std::string_view token) const;
  // Writes a decided transition: the invitation after it, nullopt when the write lost a race.
  Attempt<domain::Invitation> commit_transition(std::vector<store::WriteOp> ops,
                                                domain::Invitation after,
                                                std::string_view event_type);
  void committed(std::string_view event_type);

  store::ItemStore& store_;
  Directory& directory_;
  MemberService& members_;
  Ids& ids_;
  InvitationOptions options_;
  InvitationEvents events_;
};

}  // namespace tenantd::service
