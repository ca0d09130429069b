#include "records/invitation_record.hpp"

#include "records/tenant_record.hpp"

namespace tenantd::records {

namespace {

using domain::Invitation;
using domain::InvitationStatus;

constexpr std::string_view kGuardSk = "PENDING_INVITATION";

std::optional<std::string> string_member(const JsonValue& obj, const char* name) {
  const auto it = obj.FindMember(name);
  if (it == obj.MemberEnd() || !it->value.IsString()) {
    return std::nullopt;
  }
  return std::string(as_view(it->value));
}

std::optional<TimePoint> time_member(const JsonValue& obj, const char* name) {
  const auto text = string_member(obj, name);
  return text ? parse_time(*text) : std::nullopt;
}

std::int64_t int_member(const JsonValue& obj, const char* name, std::int64_t fallback) {
  const auto it = obj.FindMember(name);
  return it != obj.MemberEnd() && it->value.IsInt64() ? it->value.GetInt64() : fallback;
}

std::optional<std::string> time_text(const std::optional<TimePoint>& t) {
  return t ? std::optional<std::string>(format_time(*t)) : std::nullopt;
}

// "{time}#{id}": unique, and in time order under bytewise comparison (fixed-width times).
std::string timed(TimePoint t, std::string_view id) {
  std::string key = format_time(t);
  key += '#';
  key += id;
  return key;
}

// Still answerable or expired: kept together, sorted by expiresAt.
bool in_open_partition(InvitationStatus stored) {
  return stored == InvitationStatus::Pending || stored == InvitationStatus::Expired;
}

// The range of an open partition that shows `status` at `now`; "{expiresAt}#..." sorts below
// the first millisecond after `now` exactly when expiresAt <= now.
store::SortCondition open_range(InvitationStatus status, TimePoint now) {
  const std::string boundary = format_time(now + Millis(1));
  return status == InvitationStatus::Pending ? store::SortCondition::at_least(boundary)
                                             : store::SortCondition::at_most(boundary);
}

}  // namespace

store::Key invitation_key(std::string_view invitation_id) {
  return {"INVITATION#" + std::string(invitation_id), "METADATA"};
}

void write_invitation_attributes(JsonWriter& out, const Invitation& inv, InvitationStatus status) {
  out.field("invitationId", inv.invitation_id)
      .field("tenantId", inv.tenant_id)
      .field("email", inv.email)
      .field("role", inv.role)
      .field("division", inv.division)
      .field("group", inv.group)
      .field("team", inv.team)
      .field("message", inv.message)
      .field("status", domain::to_string(status))
      .field("expiresAt", format_time(inv.expires_at))
      .field("createdAt", format_time(inv.created_at))
      .field("createdBy", inv.created_by)
      .field("resendCount", inv.resend_count)
      .field("lastSentAt", format_time(inv.last_sent_at))
      .field("acceptedAt", time_text(inv.accepted_at))
      .field("acceptedBy", inv.accepted_by)
      .field("declinedAt", time_text(inv.declined_at))
      .field("cancelledAt", time_text(inv.cancelled_at))
      .field("cancelledBy", inv.cancelled_by)
      .field("version", inv.version);
}

std::string invitation_json(const Invitation& invitation, TimePoint now) {
  JsonWriter out;
  out.begin_object();
  write_invitation_attributes(out, invitation, domain::effective_status(invitation, now));
  out.end_object();
  return out.str();
}

store::Item invitation_item(const Invitation& inv) {
  const store::Key key = invitation_key(inv.invitation_id);
  store::Item item;
  item.pk = key.pk;
  item.sk = key.sk;
  const std::string created = timed(inv.created_at, inv.invitation_id);
  const std::string expires = timed(inv.expires_at, inv.invitation_id);
  const std::string status(domain::to_string(inv.status));
  const bool open = in_open_partition(inv.status);
  auto& idx = item.indexes;
  idx[kInvitationsByTenantIndex - 1] = store::IndexKey{tenant_pk(inv.tenant_id), created};
  idx[kInvitationsByTenantStatusIndex - 1] =
      open ? store::IndexKey{"TENANT_OPEN#" + inv.tenant_id, expires}
           : store::IndexKey{"TENANT_STATUS#" + inv.tenant_id + "#" + status, created};
  idx[kAllInvitationsIndex - 1] = store::IndexKey{"INVITATIONS", created};
  idx[kInvitationsByStatusIndex - 1] =
      open ? store::IndexKey{"OPEN", expires} : store::IndexKey{"STATUS#" + status, created};
  idx[kInvitationsByEmailIndex - 1] = store::IndexKey{"EMAIL#" + inv.email, created};
  if (inv.status == InvitationStatus::Pending) {
    idx[kPendingExpiryIndex - 1] = store::IndexKey{"PENDING_EXPIRY", expires};
  }
  JsonWriter out;
  out.begin_object();
  write_invitation_attributes(out, inv, inv.status);
  out.field("tokenHash", inv.token_hash).end_object();
  item.data = out.str();
  return item;
}

Result<Invitation> invitation_from_item(const store::Item& item) {
  thread_local JsonScratch scratch;  // the document does not outlive this call
  const JsonValue* doc = scratch.parse(item.data);
  if (doc == nullptr || !doc->IsObject()) {
    return Error::make(ErrorCode::InternalError, "stored invitation is unreadable");
  }
  const JsonValue& v = *doc;
  Invitation inv;
  auto id = string_member(v, "invitationId");
  auto tenant_id = string_member(v, "tenantId");
  auto email = string_member(v, "email");
  auto role = string_member(v, "role");
  auto status_text = string_member(v, "status");
  const auto status = status_text ? domain::parse_invitation_status(*status_text) : std::nullopt;
  const auto expires_at = time_member(v, "expiresAt");
  const auto created_at = time_member(v, "createdAt");
  if (!id || !tenant_id || !email || !role || !status || !expires_at || !created_at) {
    return Error::make(ErrorCode::InternalError, "stored invitation is incomplete");
  }
  inv.invitation_id = std::move(*id);
  inv.tenant_id = std::move(*tenant_id);
  inv.email = std::move(*email);
  inv.role = std::move(*role);
  inv.division = string_member(v, "division");
  inv.group = string_member(v, "group");
  inv.team = string_member(v, "team");
  inv.message = string_member(v, "message");
  inv.status = *status;
  inv.expires_at = *expires_at;
  inv.created_at = *created_at;
  inv.created_by = string_member(v, "createdBy").value_or("");
  inv.resend_count = int_member(v, "resendCount", 0);
  inv.last_sent_at = time_member(v, "lastSentAt").value_or(*created_at);
  inv.accepted_at = time_member(v, "acceptedAt");
  inv.accepted_by = string_member(v, "acceptedBy");
  inv.declined_at = time_member(v, "declinedAt");
  inv.cancelled_at = time_member(v, "cancelledAt");
  inv.cancelled_by = string_member(v, "cancelledBy");
  inv.token_hash = string_member(v, "tokenHash").value_or("");
  inv.version = int_member(v, "version", 1);
  return inv;
}

InvitationRange tenant_range(std::string_view tenant_id, std::optional<InvitationStatus> status,
                             TimePoint now) {
  const std::string tid(tenant_id);
  if (!status) {
    return {kInvitationsByTenantIndex, tenant_pk(tid), store::SortCondition::any()};
  }
  if (in_open_partition(*status)) {
    return {kInvitationsByTenantStatusIndex, "TENANT_OPEN#" + tid, open_range(*status, now)};
  }
  return {kInvitationsByTenantStatusIndex,
          "TENANT_STATUS#" + tid + "#" + std::string(domain::to_string(*status)),
          store::SortCondition::any()};
}

InvitationRange global_range(std::optional<InvitationStatus> status, TimePoint now) {
  if (!status) {
    return {kAllInvitationsIndex, "INVITATIONS", store::SortCondition::any()};
  }
  if (in_open_partition(*status)) {
    return {kInvitationsByStatusIndex, "OPEN", open_range(*status, now)};
  }
  return {kInvitationsByStatusIndex, "STATUS#" + std::string(domain::to_string(*status)),
          store::SortCondition::any()};
}

InvitationRange email_range(std::string_view email) {
  return {kInvitationsByEmailIndex, "EMAIL#" + std::string(email), store::SortCondition::any()};
}

InvitationRange expiry_due_range(TimePoint now) {
  return {kPendingExpiryIndex, "PENDING_EXPIRY",
          store::SortCondition::at_most(format_time(now + Millis(1)))};
}

store::Key pending_guard_key(std::string_view tenant_id, std::string_view email) {
  return {tenant_pk(tenant_id) + "#EMAIL#" + std::string(email), std::string(kGuardSk)};
}

Result<PendingGuard> read_pending_guard(store::ItemStore& store, std::string_view tenant_id,
                                        std::string_view email) {
  auto item = store.get(store::Table::Invitations, pending_guard_key(tenant_id, email));
  if (!item) {
    return std::move(item).error();
  }
  PendingGuard guard;
  if (!item->has_value()) {
    return guard;
  }
  const auto doc = parse_json((*item)->data);
  if (!doc || !doc->IsObject()) {
    return Error::make(ErrorCode::InternalError, "stored invitation guard is unreadable");
  }
  guard.invitation_id = string_member(*doc, "invitationId").value_or("");
  guard.version = int_member(*doc, "version", 1);
  return guard;
}

store::WriteOp pending_guard_put(std::string_view tenant_id, std::string_view email,
                                 std::string_view invitation_id, const PendingGuard& before) {
  const store::Key key = pending_guard_key(tenant_id, email);
  store::Item item;
  item.pk = key.pk;
  item.sk = key.sk;
  JsonWriter out;
  out.begin_object()
      .field("tenantId", tenant_id)
      .field("email", email)
      .field("invitationId", invitation_id)
      .field("version", before.version + 1)
      .end_object();
  item.data = out.str();
  return store::Put{store::Table::Invitations, std::move(item),
                    store::Condition::unchanged_since(before.version)};
}

}  // namespace tenantd::records
