#include "domain/invitation.hpp"

namespace tenantd::domain {

std::string_view to_string(InvitationStatus status) {
  switch (status) {
    case InvitationStatus::Pending:
      return "PENDING";
    case InvitationStatus::Accepted:
      return "ACCEPTED";
    case InvitationStatus::Declined:
      return "DECLINED";
    case InvitationStatus::Cancelled:
      return "CANCELLED";
    case InvitationStatus::Expired:
      return "EXPIRED";
  }
  return "PENDING";
}

std::optional<InvitationStatus> parse_invitation_status(std::string_view text) {
  for (const auto status : kAllInvitationStatuses) {
    if (to_string(status) == text) {
      return status;
    }
  }
  return std::nullopt;
}

InvitationStatus effective_status(const Invitation& invitation, TimePoint now) {
  if (invitation.status == InvitationStatus::Pending && now >= invitation.expires_at) {
    return InvitationStatus::Expired;
  }
  return invitation.status;
}

bool is_open(const Invitation& invitation, TimePoint now) {
  return effective_status(invitation, now) == InvitationStatus::Pending;
}

bool can_cancel(const Invitation& invitation, TimePoint now) {
  const auto status = effective_status(invitation, now);
  return status == InvitationStatus::Pending || status == InvitationStatus::Expired;
}

bool can_resend(const Invitation& invitation, TimePoint now) {
  return can_cancel(invitation, now) && invitation.resend_count < kMaxInvitationResends;
}

Error not_pending(const Invitation& invitation, TimePoint now, std::string_view rule) {
  const std::string status(to_string(effective_status(invitation, now)));
  return Error::make(ErrorCode::InvitationNotPending,
                     "The invitation is " + status + "; " + std::string(rule))
      .with("currentStatus", status);
}

}  // namespace tenantd::domain
