#pragma once
// The invitation entity and its rules (docs/invitations.md). Pure: no I/O, no JSON, no HTTP.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/error.hpp"

namespace tenantd::domain {

enum class InvitationStatus { Pending, Accepted, Declined, Cancelled, Expired };
inline constexpr std::array<InvitationStatus, 5> kAllInvitationStatuses = {
    InvitationStatus::Pending, InvitationStatus::Accepted, InvitationStatus::Declined,
    InvitationStatus::Cancelled, InvitationStatus::Expired};

std::string_view to_string(InvitationStatus status);  // "PENDING", ...
std::optional<InvitationStatus> parse_invitation_status(std::string_view text);

// A resend is allowed this many times per invitation.
inline constexpr std::int64_t kMaxInvitationResends = 5;

struct Invitation {
  std::string invitation_id;
  std::string tenant_id;
  std::string email;  // normalised: trimmed, lower case
  std::string role;   // Admin | Operator | Viewer
  std::optional<std::string> division;
  std::optional<std::string> group;
  std::optional<std::string> team;
  std::optional<std::string> message;
  InvitationStatus status = InvitationStatus::Pending;  // as stored; see effective_status
  TimePoint expires_at;
  TimePoint created_at;
  std::string created_by;
  std::int64_t resend_count = 0;
  TimePoint last_sent_at;
  std::optional<TimePoint> accepted_at;
  std::optional<std::string> accepted_by;
  std::optional<TimePoint> declined_at;
  std::optional<TimePoint> cancelled_at;
  std::optional<std::string> cancelled_by;
  std::string token_hash;  // hex SHA-256 of the current token; never leaves the service
  std::int64_t version = 1;
};

// The status a reader sees at `now`: a PENDING invitation whose expiresAt has passed is EXPIRED
// at once, before the sweep stores it.
InvitationStatus effective_status(const Invitation& invitation, TimePoint now);

// True while the invitation can still be answered (PENDING and not expired).
bool is_open(const Invitation& invitation, TimePoint now);

// Cancel and resend apply to PENDING and EXPIRED invitations only.
bool can_cancel(const Invitation& invitation, TimePoint now);
bool can_resend(const Invitation& invitation, TimePoint now);  // also under the resend limit

// 422 INVITATION_NOT_PENDING naming the current status; `rule` says what would be allowed.
Error not_pending(const Invitation& invitation, TimePoint now, std::string_view rule);

}  // namespace tenantd::domain
