#include "service/member_service.hpp"

#include <gtest/gtest.h>

#include "support/interleaving_store.hpp"

#include <functional>

#include "records/tenant_record.hpp"
#include "service/access.hpp"
#include "service/local_directory.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace tenantd::service {
namespace {

using domain::TenantStatus;

// Forwards to a real store; runs `before_next_write` once, just before the next write, so a test
// can slip a competing change between a use case's reads and its write.
using test_support::InterleavingStore;

class MemberServiceTest : public ::testing::Test {
 protected:
  MemberServiceTest()
      : clock_(TimePoint(std::chrono::milliseconds(1769337000000))),
        store_(store::sqlite::SqliteStore::open(":memory:", "dev", clock_).value()),
        racing_(*store_),
        directory_(*store_, ids_, clock_),
        tenants_(*store_, ids_, ChangeLogOptions{}, TenantEvents{}),
        members_(*store_, directory_, ids_, ChangeLogOptions{}, MemberEvents{}),
        racing_members_(racing_, directory_, ids_, ChangeLogOptions{}, MemberEvents{}) {}

  static Context as(std::string sub, std::vector<std::string> groups = {}) {
    return Context{Principal{std::move(sub), "someone@example.com", std::move(groups)}, "req-1",
                   TimePoint(std::chrono::milliseconds(1769337000000)), std::nullopt};
  }
  static Context admin() { return as("user-platform", {"platform-admins"}); }

  std::string make_tenant(const std::string& name) {
    CreateTenantInput in;
    in.organization_name = name;
    in.contact_email = "owner@example.com";
    return tenants_.create(admin(), in).value().tenant_id;
  }
  records::Membership add(const std::string& tenant_id, const std::string& email, TenantRole role) {
    AssignMemberInput in;
    in.email = email;
    in.role = role;
    return members_.assign(admin(), tenant_id, in).value();
  }
  std::int64_t member_count(const std::string& tenant_id) {
    return tenants_.get(admin(), tenant_id).value().member_count;
  }
  std::vector<std::string> audit_types(const std::string& tenant_id) {
    PageRequest page;
    page.limit = 100;
    std::vector<std::string> types;
    const auto entries = records::read_audit(*store_, tenant_id, page).value();
    for (const auto& entry : entries.items) {
      types.emplace_back(as_view((*parse_json(entry))["eventType"]));
    }
    return types;
  }

  ManualClock clock_;
  SequentialIds ids_;
  std::unique_ptr<store::ItemStore> store_;
  InterleavingStore racing_;
  LocalDirectory directory_;
  TenantService tenants_;
  MemberService members_;
  MemberService racing_members_;
};

TEST_F(MemberServiceTest, AssignCreatesTheUserAndCountsTheMember) {
  const auto tid = make_tenant("Acme Ltd");
  const auto m = add(tid, "alice@example.com", TenantRole::Admin);
  EXPECT_EQ(m.version, 1);
  EXPECT_EQ(m.role, TenantRole::Admin);
  const auto user = directory_.find_user(m.user_id).value();
  ASSERT_TRUE(user.has_value());
  EXPECT_EQ(user->email, "alice@example.com");
  EXPECT_EQ(member_count(tid), 1);
  EXPECT_EQ(members_.get(admin(), tid, m.user_id).value().email, "alice@example.com");
}

TEST_F(MemberServiceTest, AssigningAMemberAgainIsUserAlreadyMember) {
  const auto tid = make_tenant("Acme Ltd");
  add(tid, "alice@example.com", TenantRole::Viewer);
  AssignMemberInput again;
  again.email = "alice@example.com";
  auto r = members_.assign(admin(), tid, again);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::UserAlreadyMember);
  EXPECT_EQ(member_count(tid), 1);
}

TEST_F(MemberServiceTest, TheLastAdminCanBeNeitherRemovedNorDemoted) {
  const auto tid = make_tenant("Acme Ltd");
  const auto a = add(tid, "a@example.com", TenantRole::Admin);
  UpdateMemberInput demote;
  demote.role = TenantRole::Viewer;
  auto d = members_.update(admin(), tid, a.user_id, demote);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, ErrorCode::CannotRemoveLastAdmin);
  auto r = members_.remove(admin(), tid, a.user_id);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::CannotRemoveLastAdmin);
  // With a second Admin the first may go.
  const auto b = add(tid, "b@example.com", TenantRole::Admin);
  EXPECT_TRUE(members_.remove(admin(), tid, a.user_id).ok());
  EXPECT_EQ(members_.remove(admin(), tid, b.user_id).error().code,
            ErrorCode::CannotRemoveLastAdmin);
  EXPECT_EQ(member_count(tid), 1);
}

TEST_F(MemberServiceTest, TwoRacingAdminRemovalsLeaveOneAdmin) {
  const auto tid = make_tenant("Acme Ltd");
  const auto a = add(tid, "a@example.com", TenantRole::Admin);
  const auto b = add(tid, "b@example.com", TenantRole::Admin);
  // A's removal has read "two Admins" when B's removal commits.
  racing_.before_next_write = [&] { ASSERT_TRUE(members_.remove(admin(), tid, b.user_id).ok()); };
  auto r = racing_members_.remove(admin(), tid, a.user_id);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::CannotRemoveLastAdmin);
  EXPECT_TRUE(members_.get(admin(), tid, a.user_id).ok());
  EXPECT_EQ(member_count(tid), 1);
}

TEST_F(MemberServiceTest, ARacingDemotionAndRemovalLeaveOneAdmin) {
  const auto tid = make_tenant("Acme Ltd");
  const auto a = add(tid, "a@example.com", TenantRole::Admin);
  const auto b = add(tid, "b@example.com", TenantRole::Admin);
  UpdateMemberInput demote;
  demote.role = TenantRole::Operator;
  racing_.before_next_write = [&] {
    ASSERT_TRUE(members_.update(admin(), tid, b.user_id, demote).ok());
  };
  auto r = racing_members_.remove(admin(), tid, a.user_id);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::CannotRemoveLastAdmin);
}

TEST_F(MemberServiceTest, RacingAssignmentsBothCountInMemberCount) {
  const auto tid = make_tenant("Acme Ltd");
  racing_.before_next_write = [&] { add(tid, "b@example.com", TenantRole::Viewer); };
  AssignMemberInput in;
  in.email = "a@example.com";
  ASSERT_TRUE(racing_members_.assign(admin(), tid, in).ok());
  EXPECT_EQ(member_count(tid), 2);
}

TEST_F(MemberServiceTest, ADeprovisionedTenantRefusesMemberChanges) {
  const auto tid = make_tenant("Acme Ltd");
  const auto a = add(tid, "a@example.com", TenantRole::Operator);
  ASSERT_TRUE(tenants_.deprovision(admin(), tid, false).ok());
  AssignMemberInput in;
  in.email = "b@example.com";
  EXPECT_EQ(members_.assign(admin(), tid, in).error().code, ErrorCode::TenantNotActive);
  EXPECT_EQ(members_.remove(admin(), tid, a.user_id).error().code, ErrorCode::TenantNotActive);
  UpdateMemberInput up;
  up.role = TenantRole::Admin;
  EXPECT_EQ(members_.update(admin(), tid, a.user_id, up).error().code, ErrorCode::TenantNotActive);
}

TEST_F(MemberServiceTest, PlacementMustNameANodeOfTheHierarchyAndTakesItsSpelling) {
  const auto tid = make_tenant("Acme Ltd");
  AssignMemberInput in;
  in.email = "a@example.com";
  in.division = "Sales";
  EXPECT_EQ(members_.assign(admin(), tid, in).error().code, ErrorCode::ValidationError);
  store::Item tree;
  tree.pk = records::tenant_pk(tid);
  tree.sk = "HIERARCHY";
  tree.data =
      R"({"tenantId":")" + tid +
      R"(","divisions":[{"name":"Sales","groups":[{"name":"EMEA","teams":[{"name":"Inside"}]}]}],"version":1})";
  ASSERT_TRUE(store_->write({store::Put{store::Table::Tenants, tree, {}}}).ok());
  in.division = "sales";
  in.group = "emea";
  in.team = "nowhere";
  EXPECT_EQ(members_.assign(admin(), tid, in).error().code, ErrorCode::ValidationError);
  in.team = "INSIDE";
  auto m = members_.assign(admin(), tid, in);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->division, "Sales");
  EXPECT_EQ(m->team, "Inside");
  UpdateMemberInput clear;
  clear.team.present = true;
  clear.group.present = true;
  auto cleared = members_.update(admin(), tid, m->user_id, clear);
  ASSERT_TRUE(cleared.ok());
  EXPECT_FALSE(cleared->group.has_value());
  EXPECT_EQ(cleared->division, "Sales");
  EXPECT_EQ(cleared->version, 2);
}

TEST_F(MemberServiceTest, APlacementRemovedByARacingHierarchyChangeIsRefused) {
  const auto tid = make_tenant("Acme Ltd");
  auto tree_with = [&](const std::string& divisions, int version) {
    store::Item tree;
    tree.pk = records::tenant_pk(tid);
    tree.sk = "HIERARCHY";
    tree.data = R"({"tenantId":")" + tid + R"(","divisions":)" + divisions + R"(,"version":)" +
                std::to_string(version) + "}";
    return tree;
  };
  ASSERT_TRUE(
      store_->write({store::Put{store::Table::Tenants, tree_with(R"([{"name":"Sales"}])", 1), {}}})
          .ok());
  // The assignment has seen "Sales" when a hierarchy change removes it.
  racing_.before_next_write = [&] {
    ASSERT_TRUE(store_->write({store::Put{store::Table::Tenants, tree_with("[]", 2), {}}}).ok());
  };
  AssignMemberInput in;
  in.email = "a@example.com";
  in.division = "Sales";
  auto r = racing_members_.assign(admin(), tid, in);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::ValidationError);
  EXPECT_EQ(member_count(tid), 0);
}

TEST_F(MemberServiceTest, TenantRolesDecideWhoManagesAndReadsMembers) {
  const auto tid = make_tenant("Acme Ltd");
  const auto other = make_tenant("Other Ltd");
  const auto admin_m = add(tid, "a@example.com", TenantRole::Admin);
  const auto op = add(tid, "o@example.com", TenantRole::Operator);
  const auto viewer = add(tid, "v@example.com", TenantRole::Viewer);
  AssignMemberInput in;
  in.email = "new@example.com";
  EXPECT_TRUE(members_.assign(as(admin_m.user_id), tid, in).ok());
  in.email = "new2@example.com";
  EXPECT_EQ(members_.assign(as(op.user_id), tid, in).error().code, ErrorCode::Forbidden);
  EXPECT_TRUE(members_.list(as(op.user_id), tid, std::nullopt, PageRequest{}).ok());
  EXPECT_EQ(members_.list(as(viewer.user_id), tid, std::nullopt, PageRequest{}).error().code,
            ErrorCode::Forbidden);
  // Another tenant is out of reach: 404, as if it did not exist.
  EXPECT_EQ(members_.list(as(admin_m.user_id), other, std::nullopt, PageRequest{}).error().code,
            ErrorCode::TenantNotFound);
  EXPECT_EQ(members_.assign(as(admin_m.user_id), other, in).error().code,
            ErrorCode::TenantNotFound);
}

TEST_F(MemberServiceTest, MembersOfASuspendedTenantAreRefused) {
  const auto tid = make_tenant("Acme Ltd");
  ASSERT_TRUE(tenants_.apply(admin(), tid, domain::TenantAction::Activate, std::nullopt).ok());
  const auto a = add(tid, "a@example.com", TenantRole::Admin);
  ASSERT_TRUE(tenants_
                  .apply(admin(), tid, domain::TenantAction::Suspend,
                         std::string("unpaid invoices for three months"))
                  .ok());
  EXPECT_EQ(members_.list(as(a.user_id), tid, std::nullopt, PageRequest{}).error().code,
            ErrorCode::TenantSuspended);
  EXPECT_TRUE(members_.list(admin(), tid, std::nullopt, PageRequest{}).ok());
}

TEST_F(MemberServiceTest, ListFiltersByRoleAndPagesWithoutGapsOrRepeats) {
  const auto tid = make_tenant("Acme Ltd");
  for (int i = 0; i < 5; ++i) {
    add(tid, "m" + std::to_string(i) + "@example.com",
        i % 2 == 0 ? TenantRole::Viewer : TenantRole::Operator);
  }
  const auto other = make_tenant("Other Ltd");
  add(other, "m0@example.com", TenantRole::Viewer);
  PageRequest page;
  page.limit = 2;
  std::vector<std::string> seen;
  while (true) {
    auto p = members_.list(admin(), tid, TenantRole::Viewer, page).value();
    for (const auto& m : p.items) {
      EXPECT_EQ(m.role, TenantRole::Viewer);
      EXPECT_EQ(m.tenant_id, tid);
      seen.push_back(m.user_id);
    }
    if (!p.next) {
      break;
    }
    page.after = p.next;
  }
  EXPECT_EQ(seen.size(), 3U);
  EXPECT_EQ(members_.list(admin(), tid, std::nullopt, PageRequest{}).value().items.size(), 5U);
}

TEST_F(MemberServiceTest, RoleChangesMoveTheMemberBetweenRoleLists) {
  const auto tid = make_tenant("Acme Ltd");
  add(tid, "a@example.com", TenantRole::Admin);
  const auto v = add(tid, "v@example.com", TenantRole::Viewer);
  UpdateMemberInput up;
  up.role = TenantRole::Admin;
  ASSERT_TRUE(members_.update(admin(), tid, v.user_id, up).ok());
  EXPECT_EQ(members_.list(admin(), tid, TenantRole::Viewer, PageRequest{}).value().items.size(),
            0U);
  EXPECT_EQ(members_.list(admin(), tid, TenantRole::Admin, PageRequest{}).value().items.size(), 2U);
}

TEST_F(MemberServiceTest, StaleIfMatchOnAMembershipIsRefused) {
  const auto tid = make_tenant("Acme Ltd");
  const auto v = add(tid, "v@example.com", TenantRole::Viewer);
  Context ctx = admin();
  ctx.if_match = 5;
  UpdateMemberInput up;
  up.role = TenantRole::Operator;
  EXPECT_EQ(members_.update(ctx, tid, v.user_id, up).error().code, ErrorCode::PreconditionFailed);
  EXPECT_EQ(members_.remove(ctx, tid, v.user_id).error().code, ErrorCode::PreconditionFailed);
  ctx.if_match = 1;
  EXPECT_TRUE(members_.update(ctx, tid, v.user_id, up).ok());
}

TEST_F(MemberServiceTest, UnknownMembersAreUserNotFound) {
  const auto tid = make_tenant("Acme Ltd");
  EXPECT_EQ(members_.get(admin(), tid, "user-nobody").error().code, ErrorCode::UserNotFound);
  EXPECT_EQ(members_.remove(admin(), tid, "user-nobody").error().code, ErrorCode::UserNotFound);
}

TEST_F(MemberServiceTest, EveryChangeIsAudited) {
  const auto tid = make_tenant("Acme Ltd");
  add(tid, "a@example.com", TenantRole::Admin);
  const auto v = add(tid, "v@example.com", TenantRole::Viewer);
  UpdateMemberInput up;
  up.role = TenantRole::Operator;
  ASSERT_TRUE(members_.update(admin(), tid, v.user_id, up).ok());
  ASSERT_TRUE(members_.remove(admin(), tid, v.user_id).ok());
  const auto types = audit_types(tid);
  for (const char* type : {"USER_ASSIGNED", "USER_UPDATED", "USER_REMOVED"}) {
    EXPECT_NE(std::find(types.begin(), types.end(), type), types.end()) << type;
  }
}

TEST_F(MemberServiceTest, AUserReadsOwnTenantsAndPlatformStaffReadAnyones) {
  const auto t1 = make_tenant("Acme Ltd");
  const auto t2 = make_tenant("Other Ltd");
  const auto a = add(t1, "a@example.com", TenantRole::Viewer);
  add(t2, "a@example.com", TenantRole::Admin);
  const auto b = add(t1, "b@example.com", TenantRole::Viewer);
  auto own = members_.tenants_of(as(a.user_id), a.user_id, PageRequest{});
  ASSERT_TRUE(own.ok());
  EXPECT_EQ(own->items.size(), 2U);
  EXPECT_EQ(members_.tenants_of(as(b.user_id), a.user_id, PageRequest{}).error().code,
            ErrorCode::UserNotFound);
  auto staff = members_.tenants_of(as("user-op", {"platform-operators"}), b.user_id, PageRequest{});
  ASSERT_TRUE(staff.ok());
  ASSERT_EQ(staff->items.size(), 1U);
  EXPECT_EQ(staff->items[0].organization_name, "Acme Ltd");
  EXPECT_EQ(members_.tenants_of(admin(), "user-unknown", PageRequest{}).error().code,
            ErrorCode::UserNotFound);
}

}  // namespace
}  // namespace tenantd::service
