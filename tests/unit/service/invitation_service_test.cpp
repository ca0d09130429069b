#include "service/invitation_service.hpp"

#include <gtest/gtest.h>

#include "support/interleaving_store.hpp"

#include "core/crypto.hpp"
#include "events/dispatcher.hpp"
#include "records/invitation_record.hpp"
#include "service/access.hpp"
#include "service/hierarchy_service.hpp"
#include "service/local_directory.hpp"
#include "service/request_effect.hpp"
#include "service/tenant_service.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace tenantd::service {
namespace {

using domain::Invitation;
using domain::InvitationStatus;
using test_support::InterleavingStore;

constexpr std::int64_t kStartMs = 1769337000000;
const std::string kSealKey(32, 'k');

class InvitationServiceTest : public ::testing::Test {
 protected:
  InvitationServiceTest()
      : clock_(TimePoint(std::chrono::milliseconds(kStartMs))),
        store_(store::sqlite::SqliteStore::open(":memory:", "dev", clock_).value()),
        racing_(*store_),
        directory_(*store_, ids_, clock_),
        tenants_(*store_, ids_, ChangeLogOptions{}, TenantEvents{}),
        members_(*store_, directory_, ids_, ChangeLogOptions{}, MemberEvents{}),
        racing_members_(racing_, directory_, ids_, ChangeLogOptions{}, MemberEvents{}),
        invitations_(*store_, directory_, members_, ids_, options(), InvitationEvents{}),
        racing_invitations_(racing_, directory_, racing_members_, ids_, options(),
                            InvitationEvents{}) {}

  static InvitationOptions options() {
    InvitationOptions o;
    o.ttl = std::chrono::hours(24);
    o.accept_url_template = "https://app.test/join/{tenantId}/{invitationId}?token={token}";
    o.seal_key = DerivedKey(kSealKey);
    return o;
  }
  Context as(std::string sub, std::string email, std::vector<std::string> groups = {}) const {
    return Context{Principal{std::move(sub), std::move(email), std::move(groups)}, "req-1",
                   clock_.now(), std::nullopt};
  }
  Context platform() const { return as("user-platform", "root@example.com", {"platform-admins"}); }
  // The invitee's own principal: the directory's userId for its e-mail, as `tenantd token` mints.
  Context invitee(const std::string& email) {
    return as(directory_.find_or_create(email).value().user_id, email);
  }

  std::string make_tenant(const std::string& name) {
    CreateTenantInput in;
    in.organization_name = name;
    in.contact_email = "owner@example.com";
    return tenants_.create(platform(), in).value().tenant_id;
  }
  Context tenant_member(const std::string& tenant_id, const std::string& email, TenantRole role) {
    AssignMemberInput in;
    in.email = email;
    in.role = role;
    const auto m = members_.assign(platform(), tenant_id, in).value();
    return as(m.user_id, email);
  }
  Invitation invite(const std::string& tenant_id, const std::string& email,
                    TenantRole role = TenantRole::Operator) {
    CreateInvitationInput in;
    in.email = email;
    in.role = role;
    return invitations_.create(platform(), tenant_id, in).value();
  }

  // The plain token, read the way the invitee gets it: from the opened notification event.
  std::string latest_token(const std::string& invitation_id) {
    const auto pending = events::list_outbox(*store_, "PENDING", 1000).value();
    std::string token;
    for (const auto& event : pending) {
      if (event.detail_json.find(invitation_id) == std::string::npos ||
          event.sealed_detail.empty()) {
        continue;
      }
      const auto opened = events::opened_for_delivery(event, kSealKey).value();
      const auto doc = parse_json(opened.detail_json);
      const std::string url(as_view((*doc)["acceptUrl"]));
      token = url.substr(url.find("token=") + 6);
    }
    return token;
  }
  std::vector<std::string> outbox_types() {
    std::vector<std::string> types;
    const auto pending = events::list_outbox(*store_, "PENDING", 1000).value();
    for (const auto& e : pending) {
      types.push_back(e.detail_type);
    }
    return types;
  }
  std::int64_t member_count(const std::string& tenant_id) {
    return tenants_.get(platform(), tenant_id).value().member_count;
  }

  ManualClock clock_;
  SequentialIds ids_;
  std::unique_ptr<store::ItemStore> store_;
  InterleavingStore racing_;
  LocalDirectory directory_;
  TenantService tenants_;
  MemberService members_;
  MemberService racing_members_;
  InvitationService invitations_;
  InvitationService racing_invitations_;
};

CreateInvitationInput by_email(std::string email) {
  CreateInvitationInput in;
  in.email = std::move(email);
  return in;
}

// Every stored text that could leak the token: the invitation, the outbox, the audit trail.
std::vector<std::string> stored_texts(store::ItemStore& store, const Invitation& inv) {
  std::vector<std::string> texts;
  texts.push_back(
      (*store.get(store::Table::Invitations, records::invitation_key(inv.invitation_id)).value())
          .data);
  const auto pending = events::list_outbox(store, "PENDING", 1000).value();
  for (const auto& e : pending) {
    texts.push_back(events::outbox_item(e).data);
  }
  PageRequest page;
  page.limit = 100;
  auto audit = records::read_audit(store, inv.tenant_id, page).value();
  for (auto& entry : audit.items) {
    texts.push_back(std::move(entry));
  }
  return texts;
}

TEST_F(InvitationServiceTest, CreateIsPendingForTheConfiguredTimeAndSealsTheTokenInTheEvent) {
  const auto tid = make_tenant("Acme Ltd");
  const auto inv = invite(tid, "bob@example.com");
  EXPECT_EQ(inv.status, InvitationStatus::Pending);
  EXPECT_EQ(inv.expires_at, clock_.now() + std::chrono::hours(24));
  EXPECT_EQ(inv.resend_count, 0);

  const std::string token = latest_token(inv.invitation_id);
  ASSERT_EQ(token.size(), 43U);  // 32 bytes, base64url without padding
  EXPECT_EQ(inv.token_hash, sha256_hex(token));
  for (const auto& text : stored_texts(*store_, inv)) {
    EXPECT_EQ(text.find(token), std::string::npos) << text;
  }
  const auto types = outbox_types();
  EXPECT_NE(std::find(types.begin(), types.end(), "INVITATION_CREATED"), types.end());
}

TEST_F(InvitationServiceTest, OnePendingInvitationPerTenantAndEmail) {
  const auto tid = make_tenant("Acme Ltd");
  const auto first = invite(tid, "bob@example.com");
  CreateInvitationInput again;
  again.email = "bob@example.com";
  auto dup = invitations_.create(platform(), tid, again);
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, ErrorCode::DuplicateInvitation);
  // Another tenant may invite the same person.
  EXPECT_TRUE(invitations_.create(platform(), make_tenant("Other Org"), again).ok());
  // Once the first is cancelled, a new one may be sent.
  ASSERT_TRUE(invitations_.cancel(platform(), first.invitation_id).ok());
  EXPECT_TRUE(invitations_.create(platform(), tid, again).ok());
}

TEST_F(InvitationServiceTest, ConcurrentCreatesForOneEmailMakeOneInvitation) {
  const auto tid = make_tenant("Acme Ltd");
  CreateInvitationInput in;
  in.email = "bob@example.com";
  racing_.before_next_write = [&] { ASSERT_TRUE(invitations_.create(platform(), tid, in).ok()); };
  auto loser = racing_invitations_.create(platform(), tid, in);
  ASSERT_FALSE(loser.ok());
  EXPECT_EQ(loser.error().code, ErrorCode::DuplicateInvitation);
  InvitationFilter filter;
  filter.tenant_id = tid;
  EXPECT_EQ(invitations_.list(platform(), filter, PageRequest{}).value().items.size(), 1U);
}

TEST_F(InvitationServiceTest, AnExistingMemberCannotBeInvited) {
  const auto tid = make_tenant("Acme Ltd");
  tenant_member(tid, "carol@example.com", TenantRole::Viewer);
  CreateInvitationInput in;
  in.email = "carol@example.com";
  auto r = invitations_.create(platform(), tid, in);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::UserAlreadyMember);
}

TEST_F(InvitationServiceTest, OnlyAdminsOfTheTenantAndPlatformAdminsInvite) {
  const auto tid = make_tenant("Acme Ltd");
  const auto admin = tenant_member(tid, "ann@example.com", TenantRole::Admin);
  const auto op = tenant_member(tid, "otto@example.com", TenantRole::Operator);
  CreateInvitationInput in;
  in.email = "bob@example.com";
  EXPECT_EQ(invitations_.create(op, tid, in).error().code, ErrorCode::Forbidden);
  EXPECT_EQ(invitations_.create(as("user-x", "x@example.com", {"platform-operators"}), tid, in)
                .error()
                .code,
            ErrorCode::Forbidden);
  EXPECT_EQ(invitations_.create(as("user-y", "y@example.com"), tid, in).error().code,
            ErrorCode::TenantNotFound);
  EXPECT_TRUE(invitations_.create(admin, tid, in).ok());
}

TEST_F(InvitationServiceTest, AcceptCreatesTheMembershipAndAcceptsInOneTransaction) {
  const auto tid = make_tenant("Acme Ltd");
  const auto inv = invite(tid, "bob@example.com", TenantRole::Admin);
  const auto token = latest_token(inv.invitation_id);
  const auto before = member_count(tid);
  auto m = invitations_.accept(invitee("bob@example.com"), inv.invitation_id, token);
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->role, TenantRole::Admin);
  EXPECT_EQ(m->email, "bob@example.com");
  EXPECT_EQ(member_count(tid), before + 1);
  const auto read = invitations_.get(platform(), inv.invitation_id).value();
  EXPECT_EQ(read.status, InvitationStatus::Accepted);
  EXPECT_EQ(read.accepted_by, m->user_id);
  const auto types = outbox_types();
  EXPECT_NE(std::find(types.begin(), types.end(), "INVITATION_ACCEPTED"), types.end());
  EXPECT_NE(std::find(types.begin(), types.end(), "USER_ASSIGNED"), types.end());
  // The token worked once; the invitation is no longer pending.
  auto again = invitations_.accept(invitee("bob@example.com"), inv.invitation_id, token);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::InvitationNotPending);
}

// The API's Idempotency-Key scope, as api/idempotency.cpp opens it: the marker names the resource.
request_effect::MarkerFn marker_for(std::string key) {
  return [key = std::move(key)](std::string_view resource_id) {
    store::Item item;
    item.pk = "IDEMPOTENCY#" + key;
    item.sk = "IDEMPOTENCY";
    item.data = R"({"resource":")" + std::string(resource_id) + R"("})";
    return item;
  };
}

TEST_F(InvitationServiceTest, AReplayedAcceptAnswersTheMembershipItMadeNotNotPending) {
  const auto tid = make_tenant("Acme Ltd");
  const auto inv = invite(tid, "bob@example.com", TenantRole::Viewer);
  const auto token = latest_token(inv.invitation_id);
  const auto bob = invitee("bob@example.com");
  {
    const request_effect::Scope first(marker_for("k1"), std::nullopt);
    ASSERT_TRUE(invitations_.accept(bob, inv.invitation_id, token).ok());
  }
  // The marker committed with the accept, naming the invitation.
  const auto marker = store_->get(store::Table::Control, {"IDEMPOTENCY#k1", "IDEMPOTENCY"});
  ASSERT_TRUE(marker.ok() && marker->has_value());
  EXPECT_NE((*marker)->data.find(inv.invitation_id), std::string::npos);

  const request_effect::Scope replay(marker_for("k1"), inv.invitation_id);
  auto again = invitations_.accept(bob, inv.invitation_id, token);
  ASSERT_TRUE(again.ok()) << again.error().message;  // a Viewer, reading its own membership
  EXPECT_EQ(again->email, "bob@example.com");
  EXPECT_EQ(again->role, TenantRole::Viewer);
}

TEST_F(InvitationServiceTest, AReplayedResendSendsNothingMore) {
  const auto tid = make_tenant("Acme Ltd");
  const auto inv = invite(tid, "bob@example.com");
  {
    const request_effect::Scope first(marker_for("k1"), std::nullopt);
    ASSERT_EQ(invitations_.resend(platform(), inv.invitation_id).value().resend_count, 1);
  }
  const auto token = latest_token(inv.invitation_id);
  const request_effect::Scope replay(marker_for("k1"), inv.invitation_id);
  EXPECT_EQ(invitations_.resend(platform(), inv.invitation_id).value().resend_count, 1);
  EXPECT_EQ(latest_token(inv.invitation_id), token);  // no new token, no new e-mail
}

TEST_F(InvitationServiceTest, TwoConcurrentAcceptsCreateOneMembership) {
  const auto tid = make_tenant("Acme Ltd");
  const auto inv = invite(tid, "bob@example.com");
  const auto token = latest_token(inv.invitation_id);
  const auto before = member_count(tid);
  const auto bob = invitee("bob@example.com");
  racing_.before_next_write = [&] {
    ASSERT_TRUE(invitations_.accept(bob, inv.invitation_id, token).ok());
  };
  auto loser = racing_invitations_.accept(bob, inv.invitation_id, token);
  ASSERT_FALSE(loser.ok());
  EXPECT_EQ(loser.error().code, ErrorCode::InvitationNotPending);
  EXPECT_EQ(member_count(tid), before + 1);
}

TEST_F(InvitationServiceTest, AnAcceptThatLosesBetweenItsReadsStillSaysNotPending) {
  const auto tid = make_tenant("Acme Ltd");
  const auto inv = invite(tid, "bob@example.com");
  const auto token = latest_token(inv.invitation_id);
  const auto bob = invitee("bob@example.com");
  // The winner commits after the loser has checked the invitation, before it reads the
  // membership (which then exists).
  bool won = false;
  racing_.before_get = [&](const store::Key& key) {
    if (!won && key.sk.rfind("USER#", 0) == 0) {
      won = true;
      ASSERT_TRUE(invitations_.accept(bob, inv.invitation_id, token).ok());
    }
  };
  auto loser = racing_invitations_.accept(bob, inv.invitation_id, token);
  racing_.before_get = nullptr;
  ASSERT_TRUE(won);
  ASSERT_FALSE(loser.ok());
  EXPECT_EQ(loser.error().code, ErrorCode::InvitationNotPending);
}

TEST_F(InvitationServiceTest, AnswersAreRefusedInTheSpecOrder) {
  const auto tid = make_tenant("Acme Ltd");
  const auto inv = invite(tid, "bob@example.com");
  const auto token = latest_token(inv.invitation_id);
  const auto bob = invitee("bob@example.com");
  // A wrong token looks exactly like an unknown invitation.
  EXPECT_EQ(invitations_.accept(bob, inv.invitation_id, "wrong").error().code,
            ErrorCode::InvitationNotFound);
  EXPECT_EQ(
      invitations_.accept(bob, "inv-00000000-0000-4000-8000-000000000999", token).error().code,
      ErrorCode::InvitationNotFound);
  // The right token in the wrong hands.
  EXPECT_EQ(invitations_.decline(invitee("eve@example.com"), inv.invitation_id, token).error().code,
            ErrorCode::Forbidden);
  // Expired: shown at once, refused with 410.
  clock_.advance(std::chrono::hours(24));
  EXPECT_EQ(invitations_.get(platform(), inv.invitation_id).value().status,
            InvitationStatus::Pending);  // stored status; reads show the effective one
  EXPECT_EQ(domain::effective_status(invitations_.get(platform(), inv.invitation_id).value(),
                                     clock_.now()),
            InvitationStatus::Expired);
  EXPECT_EQ(invitations_.accept(invitee("bob@example.com"), inv.invitation_id, token).error().code,
            ErrorCode::InvitationExpired);
  EXPECT_EQ(member_count(tid), 0);
}

TEST_F(InvitationServiceTest, DeclineEndsTheInvitationWithoutAMembership) {
  const auto tid = make_tenant("Acme Ltd");
  const auto inv = invite(tid, "bob@example.com");
  const auto token = latest_token(inv.invitation_id);
  auto declined = invitations_.decline(invitee("bob@example.com"), inv.invitation_id, token);
  ASSERT_TRUE(declined.ok());
  EXPECT_EQ(declined->status, InvitationStatus::Declined);
  EXPECT_TRUE(declined->declined_at.has_value());
  EXPECT_EQ(member_count(tid), 0);
  EXPECT_EQ(invitations_.cancel(platform(), inv.invitation_id).error().code,
            ErrorCode::InvitationNotPending);
  // The guard is free again.
  EXPECT_TRUE(invitations_.create(platform(), tid, by_email("bob@example.com")).ok());
}

TEST_F(InvitationServiceTest, ResendIssuesANewTokenResetsExpiryAndIsLimited) {
  const auto tid = make_tenant("Acme Ltd");
  const auto inv = invite(tid, "bob@example.com");
  const auto old_token = latest_token(inv.invitation_id);
  clock_.advance(std::chrono::hours(30));  // expired
  auto resent = invitations_.resend(platform(), inv.invitation_id);
  ASSERT_TRUE(resent.ok()) << resent.error().message;
  EXPECT_EQ(resent->status, InvitationStatus::Pending);
  EXPECT_EQ(resent->resend_count, 1);
  EXPECT_EQ(resent->expires_at, clock_.now() + std::chrono::hours(24));
  const auto new_token = latest_token(inv.invitation_id);
  ASSERT_NE(new_token, old_token);
  const auto bob = invitee("bob@example.com");
  EXPECT_EQ(invitations_.accept(bob, inv.invitation_id, old_token).error().code,
            ErrorCode::InvitationNotFound);
  for (int i = 2; i <= 5; ++i) {
    EXPECT_EQ(invitations_.resend(platform(), inv.invitation_id).value().resend_count, i);
  }
  EXPECT_EQ(invitations_.resend(platform(), inv.invitation_id).error().code,
            ErrorCode::QuotaExceeded);
  EXPECT_TRUE(invitations_.accept(bob, inv.invitation_id, latest_token(inv.invitation_id)).ok());
}

TEST_F(InvitationServiceTest, ResendOfAnExpiredInvitationYieldsToANewerPendingOne) {
  const auto tid = make_tenant("Acme Ltd");
  const auto old = invite(tid, "bob@example.com");
  clock_.advance(std::chrono::hours(25));
  const auto newer = invite(tid, "bob@example.com");  // the expired one no longer blocks
  EXPECT_EQ(invitations_.resend(platform(), old.invitation_id).error().code,
            ErrorCode::DuplicateInvitation);
  EXPECT_TRUE(invitations_.cancel(platform(), old.invitation_id).ok());
  EXPECT_EQ(invitations_.get(platform(), newer.invitation_id).value().status,
            InvitationStatus::Pending);
}

TEST_F(InvitationServiceTest, TheSweepStoresExpiredOnceAndEmitsOneEvent) {
  const auto tid = make_tenant("Acme Ltd");
  const auto a = invite(tid, "a@example.com");
  clock_.advance(std::chrono::hours(1));
  const auto b = invite(tid, "b@example.com");
  clock_.advance(std::chrono::hours(23));  // a has expired, b has an hour left
  Context system = as("system", "");
  EXPECT_EQ(invitations_.expire_due(system, 100).value(), 1U);
  EXPECT_EQ(invitations_.get(platform(), a.invitation_id).value().status,
            InvitationStatus::Expired);
  EXPECT_EQ(invitations_.get(platform(), b.invitation_id).value().status,
            InvitationStatus::Pending);
  EXPECT_EQ(invitations_.expire_due(system, 100).value(), 0U);
  const auto types = outbox_types();
  EXPECT_EQ(std::count(types.begin(), types.end(), "INVITATION_EXPIRED"), 1);
  // An expired invitation can still be cancelled.
  EXPECT_EQ(invitations_.cancel(platform(), a.invitation_id).value().status,
            InvitationStatus::Cancelled);
}

TEST_F(InvitationServiceTest, StatusFiltersFollowExpiryBeforeTheSweep) {
  const auto tid = make_tenant("Acme Ltd");
  invite(tid, "a@example.com");
  clock_.advance(std::chrono::hours(2));
  invite(tid, "b@example.com");
  clock_.advance(std::chrono::hours(23));  // a expired (not swept), b pending
  InvitationFilter filter;
  filter.tenant_id = tid;
  const auto list = [&](InvitationStatus status, const Context& ctx) {
    filter.status = status;
    std::vector<std::string> emails;
    const auto page = invitations_.list(ctx, filter, PageRequest{}).value();
    for (const auto& inv : page.items) {
      emails.push_back(inv.email);
    }
    return emails;
  };
  EXPECT_EQ(list(InvitationStatus::Pending, platform()), std::vector<std::string>{"b@example.com"});
  EXPECT_EQ(list(InvitationStatus::Expired, platform()), std::vector<std::string>{"a@example.com"});
  filter.tenant_id.reset();
  EXPECT_EQ(list(InvitationStatus::Expired, platform()), std::vector<std::string>{"a@example.com"});
  ASSERT_TRUE(invitations_.expire_due(as("system", ""), 10).ok());
  EXPECT_EQ(list(InvitationStatus::Expired, platform()), std::vector<std::string>{"a@example.com"});
}

TEST_F(InvitationServiceTest, AnAdminListsEveryTenantItAdministersPageByPage) {
  const auto t1 = make_tenant("First Org");
  const auto t2 = make_tenant("Second Org");
  const auto t3 = make_tenant("Third Org");
  const auto ann = tenant_member(t1, "ann@example.com", TenantRole::Admin);
  AssignMemberInput in;
  in.email = "ann@example.com";
  in.role = TenantRole::Admin;
  ASSERT_TRUE(members_.assign(platform(), t2, in).ok());
  in.role = TenantRole::Viewer;
  ASSERT_TRUE(members_.assign(platform(), t3, in).ok());  // not administered
  std::vector<std::string> expected;
  for (int i = 0; i < 7; ++i) {
    clock_.advance(std::chrono::seconds(1));
    expected.push_back(
        invite(i % 2 == 0 ? t1 : t2, "p" + std::to_string(i) + "@example.com").invitation_id);
    clock_.advance(std::chrono::seconds(1));
    invite(t3, "q" + std::to_string(i) + "@example.com");
  }
  std::vector<std::string> seen;
  PageRequest page;
  page.limit = 3;
  for (int pages = 0; pages < 10; ++pages) {
    auto result = invitations_.list(ann, InvitationFilter{}, page).value();
    for (const auto& inv : result.items) {
      seen.push_back(inv.invitation_id);
    }
    if (!result.next) {
      break;
    }
    page.after = result.next;
  }
  EXPECT_EQ(seen, expected);
  // A Viewer reads no invitations of its tenant; a stranger does not see the tenant at all.
  InvitationFilter of_t3;
  of_t3.tenant_id = t3;
  EXPECT_EQ(invitations_.list(ann, of_t3, PageRequest{}).error().code, ErrorCode::Forbidden);
  EXPECT_EQ(invitations_.list(as("user-z", "z@example.com"), of_t3, PageRequest{}).error().code,
            ErrorCode::TenantNotFound);
}

TEST_F(InvitationServiceTest, TheInviteeReadsItsInvitationOthersOutOfReachGet404) {
  const auto tid = make_tenant("Acme Ltd");
  const auto inv = invite(tid, "bob@example.com");
  EXPECT_TRUE(invitations_.get(invitee("bob@example.com"), inv.invitation_id).ok());
  EXPECT_EQ(invitations_.get(as("user-z", "z@example.com"), inv.invitation_id).error().code,
            ErrorCode::InvitationNotFound);
  EXPECT_EQ(invitations_.cancel(invitee("bob@example.com"), inv.invitation_id).error().code,
            ErrorCode::InvitationNotFound);
}

TEST_F(InvitationServiceTest, ADeprovisionedTenantTakesNoInvitations) {
  const auto tid = make_tenant("Acme Ltd");
  const auto inv = invite(tid, "bob@example.com");
  const auto token = latest_token(inv.invitation_id);
  ASSERT_TRUE(tenants_.deprovision(platform(), tid, false).ok());
  EXPECT_EQ(invitations_.create(platform(), tid, by_email("c@example.com")).error().code,
            ErrorCode::TenantNotActive);
  EXPECT_EQ(invitations_.accept(invitee("bob@example.com"), inv.invitation_id, token).error().code,
            ErrorCode::TenantNotActive);
}

}  // namespace
}  // namespace tenantd::service
