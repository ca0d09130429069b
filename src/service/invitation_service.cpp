#include "service/invitation_service.hpp"

#include <algorithm>
#include <optional>
#include <tuple>

#include "core/crypto.hpp"
#include "events/outbox_event.hpp"
#include "records/invitation_record.hpp"
#include "records/membership_record.hpp"
#include "records/tenant_record.hpp"
#include "service/access.hpp"
#include "service/request_effect.hpp"
#include "service/retry.hpp"

namespace tenantd::service {

namespace {

using domain::Invitation;
using domain::InvitationStatus;

// Racing changes of one invitation retry on a failed condition; each retry re-reads.
constexpr int kAttempts = 16;
constexpr std::size_t kTokenBytes = 32;

Error invitation_not_found(std::string_view invitation_id) {
  return Error::make(ErrorCode::InvitationNotFound,
                     "Invitation " + std::string(invitation_id) + " not found")
      .with("invitationId", std::string(invitation_id));
}

Error store_failed() {
  return Error::make(ErrorCode::ServiceUnavailable, "The store could not save the invitation");
}

Error too_much_contention() {
  return Error::make(ErrorCode::VersionConflict,
                     "The invitation changed concurrently too often; retry");
}

Error tenant_gone(const domain::Tenant& tenant) {
  return Error::make(ErrorCode::TenantNotActive,
                     "The tenant is deprovisioned; it takes no new members")
      .with("currentStatus", std::string(domain::to_string(tenant.status)));
}

Status check_if_match(const Context& ctx, const Invitation& inv) {
  if (ctx.if_match && *ctx.if_match != inv.version) {
    return Error::make(
        ErrorCode::PreconditionFailed,
        "If-Match does not match the current version " + std::to_string(inv.version));
  }
  return {};
}

// The token is compared through its hash, in constant time; a wrong token looks exactly like
// an unknown invitation.
bool token_matches(const Invitation& inv, std::string_view token) {
  return !inv.token_hash.empty() && constant_time_equals(sha256_hex(token), inv.token_hash);
}

// Token, then invitee, then state: docs/invitations.md's order of refusals for accept and decline.
Status check_answerable(const Context& ctx, const Invitation& inv, std::string_view token) {
  if (!token_matches(inv, token)) {
    return invitation_not_found(inv.invitation_id);
  }
  if (ctx.principal.email.empty() || ctx.principal.email != inv.email) {
    return Error::make(ErrorCode::Forbidden, "This invitation was sent to another e-mail address");
  }
  switch (domain::effective_status(inv, ctx.now)) {
    case InvitationStatus::Pending:
      return {};
    case InvitationStatus::Expired:
      return Error::make(ErrorCode::InvitationExpired, "The invitation expired at " +
                                                           format_time(inv.expires_at) +
                                                           "; ask for it to be resent")
          .with("expiresAt", format_time(inv.expires_at));
    default:
      return domain::not_pending(inv, ctx.now, "only a PENDING invitation can be answered");
  }
}

void replace_all(std::string& text, std::string_view from, std::string_view to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

using Predicate = std::function<bool(const Invitation&)>;

// One page merged from several ranges of the same index (one per tenant an Admin administers),
// in index order: a lazy k-way merge that reads each range in small batches and parses only the
// rows it keeps. The cursor is the last row's index key, which positions every range alike.
Result<Page<Invitation>> merged_page(store::ItemStore& store,
                                     const std::vector<records::InvitationRange>& ranges,
                                     const Predicate& keep, const PageRequest& page) {
  struct Source {
    store::Query query;
    std::vector<store::Item> buffer;
    std::size_t next = 0;
    bool exhausted = false;
  };
  const std::size_t wanted = static_cast<std::size_t>(page.limit) + 1;  // one more: a next page
  // One range reads the page at once; many share it, topping up whichever runs low.
  const std::size_t batch = keep ? 100
                            : ranges.size() == 1
                                ? wanted
                                : std::max<std::size_t>(4, wanted / ranges.size() + 1);
  const int index = ranges.empty() ? records::kAllInvitationsIndex : ranges.front().index;
  std::vector<Source> sources(ranges.size());
  for (std::size_t r = 0; r < ranges.size(); ++r) {
    store::Query& q = sources[r].query;
    q.table = store::Table::Invitations;
    q.index = ranges[r].index;
    q.pk = ranges[r].pk;
    q.sk = ranges[r].sk;
    q.limit = static_cast<int>(batch);
    q.start_after = page.after;
    if (q.start_after) {
      q.start_after->index_pk = ranges[r].pk;
    }
  }
  const auto head = [index](const Source& s) {
    const store::Item& item = s.buffer[s.next];
    return std::tie(item.indexes[static_cast<std::size_t>(index - 1)]->sk, item.pk, item.sk);
  };
  Page<Invitation> out;
  std::optional<store::Item> last_kept;
  std::size_t kept = 0;
  while (kept < wanted) {
    Source* lowest = nullptr;
    for (auto& source : sources) {
      if (source.next == source.buffer.size() && !source.exhausted) {
        auto items = store.query(source.query);
        if (!items) {
          return std::move(items).error();
        }
        source.exhausted = items->size() < static_cast<std::size_t>(source.query.limit);
        if (!items->empty()) {
          source.query.start_after = store::cursor_after(items->back(), index);
        }
        source.buffer = std::move(*items);
        source.next = 0;
      }
      if (source.next < source.buffer.size() &&
          (lowest == nullptr || head(source) < head(*lowest))) {
        lowest = &source;
      }
    }
    if (lowest == nullptr) {
      break;  // every range is read to its end
    }
    store::Item& item = lowest->buffer[lowest->next++];
    auto inv = records::invitation_from_item(item);
    if (!inv) {
      return std::move(inv).error();
    }
    if (keep && !keep(*inv)) {
      continue;
    }
    if (++kept == wanted) {
      break;  // the extra row only says that another page exists
    }
    out.items.push_back(std::move(*inv));
    last_kept = std::move(item);
  }
  if (kept == wanted && last_kept) {
    out.next = store::cursor_after(*last_kept, index);
  }
  return out;
}

// The tenants `user_id` administers and may act in now (not SUSPENDED), in id order.
Result<std::vector<std::string>> administered_tenants(store::ItemStore& store,
                                                      std::string_view user_id) {
  std::vector<store::Key> keys;
  store::Query query;
  query.table = store::Table::Tenants;
  query.index = records::kMembersByUserIndex;
  query.pk = records::member_pk(user_id);
  query.sk = store::SortCondition::begins_with("TENANT#");
  query.limit = 100;
  for (;;) {
    auto items = store.query(query);
    if (!items) {
      return std::move(items).error();
    }
    for (const auto& item : *items) {
      auto m = records::membership_from_item(item);
      if (!m) {
        return std::move(m).error();
      }
      if (m->role == TenantRole::Admin) {
        keys.push_back(records::tenant_key(m->tenant_id));
      }
    }
    if (items->size() < static_cast<std::size_t>(query.limit)) {
      break;
    }
    query.start_after = store::cursor_after(items->back(), query.index);
  }
  std::vector<std::string> tenants;
  for (std::size_t start = 0; start < keys.size(); start += 100) {
    const std::vector<store::Key> batch(
        keys.begin() + static_cast<std::ptrdiff_t>(start),
        keys.begin() + static_cast<std::ptrdiff_t>(std::min(keys.size(), start + 100)));
    auto items = store.get_many(store::Table::Tenants, batch);
    if (!items) {
      return std::move(items).error();
    }
    for (const auto& item : *items) {
      if (!item) {
        continue;
      }
      auto tenant = records::tenant_from_item(*item);
      if (!tenant) {
        return std::move(tenant).error();
      }
      if (tenant->status != domain::TenantStatus::Suspended) {
        tenants.push_back(tenant->tenant_id);
      }
    }
  }
  return tenants;
}

}  // namespace

InvitationService::InvitationService(store::ItemStore& store, Directory& directory,
                                     MemberService& members, Ids& ids, InvitationOptions options,
                                     InvitationEvents events)
    : store_(store),
      directory_(directory),
      members_(members),
      ids_(ids),
      options_(std::move(options)),
      events_(std::move(events)) {}

Attempt<Invitation> InvitationService::commit_transition(std::vector<store::WriteOp> ops,
                                                         Invitation after,
                                                         std::string_view event_type) {
  const auto written = store_.write(std::move(ops));
  if (written.condition_failed()) {
    return std::optional<Invitation>{};  // lost a race: decide again on fresh reads
  }
  if (!written.ok()) {
    return store_failed();
  }
  committed(event_type);
  return std::optional<Invitation>{std::move(after)};
}

void InvitationService::committed(std::string_view event_type) {
  if (events_.committed) {
    events_.committed();
  }
  if (events_.counted) {
    events_.counted(event_type);
  }
}

std::string InvitationService::sealed_accept_url(const Invitation& inv,
                                                 std::string_view token) const {
  std::string url = options_.accept_url_template;
  replace_all(url, "{invitationId}", inv.invitation_id);
  replace_all(url, "{tenantId}", inv.tenant_id);
  replace_all(url, "{token}", token);
  JsonWriter member;
  member.begin_object().field("acceptUrl", url).end_object();
  std::string fragment = member.str();  // {"acceptUrl":"..."}: the members without braces
  return seal(options_.seal_key.get(), std::string_view(fragment).substr(1, fragment.size() - 2));
}

void InvitationService::record_transition(std::vector<store::WriteOp>& ops, const Context& ctx,
                                          const Invitation& before, const Invitation& after,
                                          std::string event_type, std::string sealed_detail) {
  ops.emplace_back(store::Put{store::Table::Invitations, records::invitation_item(after),
                              store::Condition::version_is(before.version)});
  records::Change change{std::move(event_type),
                         events::kTenantSource,
                         before.tenant_id,
                         records::invitation_json(before, ctx.now),
                         records::invitation_json(after, ctx.now),
                         std::nullopt};
  change.sealed_detail = std::move(sealed_detail);
  records::record_change(ops, ctx, ids_, options_.change_log, change);
  request_effect::record(ops, after.invitation_id);
}

Result<Invitation> InvitationService::read(std::string_view invitation_id) {
  if (!is_id(invitation_id, "inv")) {
    return invitation_not_found(invitation_id);
  }
  auto item = store_.get(store::Table::Invitations, records::invitation_key(invitation_id));
  if (!item) {
    return std::move(item).error();
  }
  if (!item->has_value()) {
    return invitation_not_found(invitation_id);
  }
  return records::invitation_from_item(**item);
}

Result<InvitationService::Loaded> InvitationService::load_for(const Context& ctx,
                                                              std::string_view invitation_id,
                                                              Action action) {
  auto inv = read(invitation_id);
  if (!inv) {
    return std::move(inv).error();
  }
  auto tenant = tenant_for(ctx, *inv, action);
  if (!tenant) {
    return std::move(tenant).error();
  }
  return Loaded{std::move(*inv), std::move(*tenant)};
}

Result<domain::Tenant> InvitationService::tenant_for(const Context& ctx, const Invitation& inv,
                                                     Action action) {
  auto tenant = load_tenant_for(store_, ctx, inv.tenant_id, action);
  if (!tenant && tenant.error().code == ErrorCode::TenantNotFound) {
    return invitation_not_found(inv.invitation_id);  // out of reach: no existence leak
  }
  return tenant;
}

// The guard names at most one open invitation per (tenant, e-mail). Claiming it for `inv`
// fails with 409 when it names another invitation that is still open; a stale guard (its
// invitation answered, cancelled or expired) is taken over.
Status InvitationService::claim_guard(std::vector<store::WriteOp>& ops, const Invitation& inv,
                                      TimePoint now) {
  auto guard = records::read_pending_guard(store_, inv.tenant_id, inv.email);
  if (!guard) {
    return std::move(guard).error();
  }
  if (guard->version != 0 && guard->invitation_id != inv.invitation_id) {
    auto other = read(guard->invitation_id);
    if (!other && other.error().code != ErrorCode::InvitationNotFound) {
      return std::move(other).error();
    }
    if (other && domain::is_open(*other, now)) {
      return Error::make(ErrorCode::DuplicateInvitation,
                         "A pending invitation for " + inv.email + " to this tenant exists")
          .with("invitationId", other->invitation_id);
    }
  }
  ops.push_back(records::pending_guard_put(inv.tenant_id, inv.email, inv.invitation_id, *guard));
  return {};
}

// An invitation that stops being open frees the (tenant, e-mail) guard if the guard names it.
Status InvitationService::release_guard(std::vector<store::WriteOp>& ops, const Invitation& inv) {
  auto guard = records::read_pending_guard(store_, inv.tenant_id, inv.email);
  if (!guard) {
    return std::move(guard).error();
  }
  if (guard->version != 0 && guard->invitation_id == inv.invitation_id) {
    ops.emplace_back(store::Delete{store::Table::Invitations,
                                   records::pending_guard_key(inv.tenant_id, inv.email),
                                   store::Condition::version_is(guard->version)});
  }
  return {};
}

Result<Invitation> InvitationService::create(const Context& ctx, std::string_view tenant_id,
                                             const CreateInvitationInput& input) {
  if (const std::string* made = request_effect::applied()) {
    return get(ctx, *made);
  }
  const std::string token = base64url_encode(random_bytes(kTokenBytes));
  const std::string invitation_id = ids_.make("inv");
  return retry_on_conflict<Invitation>(
      kAttempts,
      [&]() -> Attempt<Invitation> {
        auto tenant = load_tenant_for(store_, ctx, tenant_id, Action::ManageMembers);
        if (!tenant) {
          return std::move(tenant).error();
        }
        if (tenant->status == domain::TenantStatus::Deprovisioned) {
          return tenant_gone(*tenant);
        }
        Invitation inv;
        inv.invitation_id = invitation_id;
        inv.tenant_id = tenant->tenant_id;
        inv.email = input.email;
        inv.role = std::string(to_string(input.role));
        inv.division = input.division;
        inv.group = input.group;
        inv.team = input.team;
        inv.message = input.message;
        inv.status = InvitationStatus::Pending;
        inv.created_at = inv.last_sent_at = ctx.now;
        inv.expires_at = ctx.now + options_.ttl;
        inv.created_by = ctx.principal.actor();
        inv.token_hash = sha256_hex(token);

        std::vector<store::WriteOp> ops;
        if (inv.division) {
          auto found = hierarchy_has_node(store_, inv.tenant_id, inv.division, inv.group, inv.team);
          if (!found) {
            return std::move(found).error();
          }
          if (!found->found) {
            return not_in_hierarchy(inv.group, inv.team);
          }
          if (found->tree_version) {
            ops.emplace_back(store::Check{store::Table::Tenants,
                                          {records::tenant_pk(inv.tenant_id), "HIERARCHY"},
                                          store::Condition::version_is(*found->tree_version)});
          }
        }
        auto user = directory_.find_email(inv.email);
        if (!user) {
          return std::move(user).error();
        }
        if (user->has_value()) {
          auto role = membership_role(store_, inv.tenant_id, (*user)->user_id);
          if (!role) {
            return std::move(role).error();
          }
          if (role->has_value()) {
            return Error::make(ErrorCode::UserAlreadyMember,
                               "User " + inv.email + " is already a member of this tenant")
                .with("userId", (*user)->user_id);
          }
        }
        TENANTD_TRY(claim_guard(ops, inv, ctx.now));
        // The tenant must still be the one read (not deprovisioned meanwhile).
        ops.emplace_back(store::Check{store::Table::Tenants, records::tenant_key(inv.tenant_id),
                                      store::Condition::version_is(tenant->version)});
        ops.emplace_back(store::Put{store::Table::Invitations, records::invitation_item(inv),
                                    store::Condition::not_exists()});
        records::Change change{"INVITATION_CREATED",
                               events::kTenantSource,
                               inv.tenant_id,
                               "",
                               records::invitation_json(inv, ctx.now),
                               std::nullopt};
        change.sealed_detail = sealed_accept_url(inv, token);
        records::record_change(ops, ctx, ids_, options_.change_log, change);
        request_effect::record(ops, inv.invitation_id);
        const auto written = store_.write(std::move(ops));
        if (written.condition_failed()) {
          return std::optional<Invitation>{};  // raced: decide again on fresh reads
        }
        if (!written.ok()) {
          return store_failed();
        }
        committed("INVITATION_CREATED");
        return std::optional<Invitation>{std::move(inv)};
      },
      too_much_contention);
}

Result<Page<Invitation>> InvitationService::list(const Context& ctx, const InvitationFilter& filter,
                                                 const PageRequest& page) {
  const auto status = filter.status;
  const TimePoint now = ctx.now;
  const auto shows_status = [status, now](const Invitation& inv) {
    return !status || domain::effective_status(inv, now) == *status;
  };
  std::vector<records::InvitationRange> ranges;
  Predicate keep;
  if (filter.tenant_id) {
    auto tenant = load_tenant_for(store_, ctx, *filter.tenant_id, Action::ReadInvitations);
    if (!tenant) {
      return std::move(tenant).error();
    }
    if (filter.email) {
      ranges.push_back(records::email_range(*filter.email));
      keep = [tid = tenant->tenant_id, shows_status](const Invitation& inv) {
        return inv.tenant_id == tid && shows_status(inv);
      };
    } else {
      ranges.push_back(records::tenant_range(tenant->tenant_id, status, now));
    }
  } else if (platform_allows(ctx.principal, Action::ReadInvitations)) {
    if (filter.email) {
      ranges.push_back(records::email_range(*filter.email));
      keep = shows_status;
    } else {
      ranges.push_back(records::global_range(status, now));
    }
  } else {
    auto tenants = administered_tenants(store_, ctx.principal.sub);
    if (!tenants) {
      return std::move(tenants).error();
    }
    if (tenants->empty()) {
      return Page<Invitation>{};
    }
    if (filter.email) {
      ranges.push_back(records::email_range(*filter.email));
      keep = [tenants = std::move(*tenants), shows_status](const Invitation& inv) {
        return std::binary_search(tenants.begin(), tenants.end(), inv.tenant_id) &&
               shows_status(inv);
      };
    } else {
      for (const auto& tid : *tenants) {
        ranges.push_back(records::tenant_range(tid, status, now));
      }
    }
  }
  return merged_page(store_, ranges, keep, page);
}

Result<Invitation> InvitationService::get(const Context& ctx, std::string_view invitation_id) {
  auto inv = read(invitation_id);
  if (!inv) {
    return inv;
  }
  // The invitee reads its own invitation (to decide whether to accept it).
  if (!ctx.principal.email.empty() && ctx.principal.email == inv->email) {
    return inv;
  }
  TENANTD_TRY(tenant_for(ctx, *inv, Action::ReadInvitations));
  return inv;
}

Result<Invitation> InvitationService::cancel(const Context& ctx, std::string_view invitation_id) {
  return retry_on_conflict<Invitation>(
      kAttempts,
      [&]() -> Attempt<Invitation> {
        auto loaded = load_for(ctx, invitation_id, Action::ManageMembers);
        if (!loaded) {
          return std::move(loaded).error();
        }
        const Invitation& inv = loaded->invitation;
        if (!domain::can_cancel(inv, ctx.now)) {
          return domain::not_pending(inv, ctx.now,
                                     "only PENDING or EXPIRED invitations can be cancelled");
        }
        TENANTD_TRY(check_if_match(ctx, inv));
        Invitation after = inv;
        after.status = InvitationStatus::Cancelled;
        after.cancelled_at = ctx.now;
        after.cancelled_by = ctx.principal.actor();
        after.version += 1;
        std::vector<store::WriteOp> ops;
        TENANTD_TRY(release_guard(ops, inv));
        record_transition(ops, ctx, inv, after, "INVITATION_CANCELLED");
        return commit_transition(std::move(ops), std::move(after), "INVITATION_CANCELLED");
      },
      too_much_contention);
}

Result<Invitation> InvitationService::resend(const Context& ctx, std::string_view invitation_id) {
  if (const std::string* resent = request_effect::applied()) {
    return read(*resent);  // a replay: the first run sent it already
  }
  const std::string token = base64url_encode(random_bytes(kTokenBytes));
  return retry_on_conflict<Invitation>(
      kAttempts,
      [&]() -> Attempt<Invitation> {
        auto loaded = load_for(ctx, invitation_id, Action::ManageMembers);
        if (!loaded) {
          return std::move(loaded).error();
        }
        const Invitation& inv = loaded->invitation;
        if (loaded->tenant.status == domain::TenantStatus::Deprovisioned) {
          return tenant_gone(loaded->tenant);
        }
        if (!domain::can_cancel(inv, ctx.now)) {
          return domain::not_pending(inv, ctx.now,
                                     "only PENDING or EXPIRED invitations can be resent");
        }
        if (!domain::can_resend(inv, ctx.now)) {
          return Error::make(ErrorCode::QuotaExceeded,
                             "The invitation was already resent " +
                                 std::to_string(domain::kMaxInvitationResends) + " times")
              .with("limit", domain::kMaxInvitationResends);
        }
        TENANTD_TRY(check_if_match(ctx, inv));
        Invitation after = inv;
        after.status = InvitationStatus::Pending;
        after.expires_at = ctx.now + options_.ttl;
        after.last_sent_at = ctx.now;
        after.resend_count += 1;
        after.token_hash = sha256_hex(token);  // the old token stops working
        after.version += 1;
        std::vector<store::WriteOp> ops;
        TENANTD_TRY(claim_guard(ops, after, ctx.now));
        record_transition(ops, ctx, inv, after, "INVITATION_RESENT",
                          sealed_accept_url(after, token));
        return commit_transition(std::move(ops), std::move(after), "INVITATION_RESENT");
      },
      too_much_contention);
}

Result<Membership> InvitationService::accept(const Context& ctx, std::string_view invitation_id,
                                             std::string_view token) {
  if (const std::string* accepted = request_effect::applied()) {
    // A replay (the same caller, path and token): the first run made the caller a member.
    TENANTD_TRY_ASSIGN(const Invitation answered, read(*accepted));
    return members_.own(ctx, answered.tenant_id);
  }
  auto inv = read(invitation_id);
  if (!inv) {
    return std::move(inv).error();
  }
  TENANTD_TRY(check_answerable(ctx, *inv, token));
  AssignMemberInput input;
  input.email = inv->email;
  input.role = parse_tenant_role(inv->role).value_or(TenantRole::Viewer);
  input.division = inv->division;
  input.group = inv->group;
  input.team = inv->team;
  // Decided again inside every attempt of the membership's transaction.
  const JoinWrites accepted = [&](const domain::Tenant&) -> Result<std::vector<store::WriteOp>> {
    auto fresh = read(invitation_id);
    if (!fresh) {
      return std::move(fresh).error();
    }
    TENANTD_TRY(check_answerable(ctx, *fresh, token));
    Invitation after = *fresh;
    after.status = InvitationStatus::Accepted;
    after.accepted_at = ctx.now;
    after.accepted_by = ctx.principal.sub;
    after.version += 1;
    std::vector<store::WriteOp> ops;
    TENANTD_TRY(release_guard(ops, *fresh));
    record_transition(ops, ctx, *fresh, after, "INVITATION_ACCEPTED");
    return ops;
  };
  auto membership = members_.join(ctx, inv->tenant_id, input, accepted);
  if (membership) {
    committed("INVITATION_ACCEPTED");
    return membership;
  }
  if (membership.error().code == ErrorCode::UserAlreadyMember) {
    // A racing accept of this same invitation can commit between this attempt's invitation
    // check and its membership read: then the answer is that the invitation is taken.
    auto fresh = read(invitation_id);
    if (fresh && !domain::is_open(*fresh, ctx.now)) {
      TENANTD_TRY(check_answerable(ctx, *fresh, token));
    }
  }
  return membership;
}

Result<Invitation> InvitationService::decline(const Context& ctx, std::string_view invitation_id,
                                              std::string_view token) {
  if (const std::string* declined = request_effect::applied()) {
    return read(*declined);  // a replay: the first run declined it
  }
  return retry_on_conflict<Invitation>(
      kAttempts,
      [&]() -> Attempt<Invitation> {
        auto inv = read(invitation_id);
        if (!inv) {
          return std::move(inv).error();
        }
        TENANTD_TRY(check_answerable(ctx, *inv, token));
        Invitation after = *inv;
        after.status = InvitationStatus::Declined;
        after.declined_at = ctx.now;
        after.version += 1;
        std::vector<store::WriteOp> ops;
        TENANTD_TRY(release_guard(ops, *inv));
        record_transition(ops, ctx, *inv, after, "INVITATION_DECLINED");
        return commit_transition(std::move(ops), std::move(after), "INVITATION_DECLINED");
      },
      too_much_contention);
}

Result<std::size_t> InvitationService::expire_due(const Context& ctx, std::size_t max) {
  const records::InvitationRange range = records::expiry_due_range(ctx.now);
  store::Query query;
  query.table = store::Table::Invitations;
  query.index = range.index;
  query.pk = range.pk;
  query.sk = range.sk;
  query.limit = static_cast<int>(std::min<std::size_t>(max, 100));
  std::size_t stored = 0;
  while (stored < max) {
    auto items = store_.query(query);
    if (!items) {
      return std::move(items).error();
    }
    for (const auto& item : *items) {
      auto inv = records::invitation_from_item(item);
      if (!inv) {
        return std::move(inv).error();
      }
      if (inv->status != InvitationStatus::Pending || ctx.now < inv->expires_at) {
        continue;
      }
      Invitation after = *inv;
      after.status = InvitationStatus::Expired;
      after.version += 1;
      std::vector<store::WriteOp> ops;
      TENANTD_TRY(release_guard(ops, *inv));
      record_transition(ops, ctx, *inv, after, "INVITATION_EXPIRED");
      const auto written = store_.write(std::move(ops));
      if (written.ok()) {
        committed("INVITATION_EXPIRED");
        if (++stored == max) {
          return stored;
        }
      } else if (!written.condition_failed()) {
        return store_failed();
      }  // else: answered, cancelled or resent meanwhile; nothing to expire
    }
    if (items->size() < static_cast<std::size_t>(query.limit)) {
      break;
    }
    query.start_after = store::cursor_after(items->back(), query.index);
  }
  return stored;
}

}  // namespace tenantd::service
