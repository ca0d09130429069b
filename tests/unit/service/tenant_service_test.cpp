#include "service/tenant_service.hpp"

#include <gtest/gtest.h>

#include "service/access.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace tenantd::service {
namespace {

using domain::TenantAction;
using domain::TenantStatus;

class TenantServiceTest : public ::testing::Test {
 protected:
  TenantServiceTest()
      : clock_(TimePoint(std::chrono::milliseconds(1769337000000))),
        store_(store::sqlite::SqliteStore::open(":memory:", "dev", clock_).value()),
        service_(*store_, ids_, ChangeLogOptions{}, TenantEvents{}) {}

  Context admin() const {
    return Context{Principal{"user-admin", "admin@example.com", {"platform-admins"}}, "req-1",
                   clock_.now(), std::nullopt};
  }
  Context outsider() const {
    return Context{Principal{"user-x", "x@example.com", {}}, "req-2", clock_.now(), std::nullopt};
  }
  CreateTenantInput input(std::string name) const {
    CreateTenantInput in;
    in.organization_name = std::move(name);
    in.contact_email = "owner@example.com";
    return in;
  }

  ManualClock clock_;
  SequentialIds ids_;
  std::unique_ptr<store::ItemStore> store_;
  TenantService service_;
};

TEST_F(TenantServiceTest, CreateStartsPendingAtVersionOne) {
  auto t = service_.create(admin(), input("Acme Ltd"));
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->status, TenantStatus::Pending);
  EXPECT_EQ(t->version, 1);
  auto read = service_.get(admin(), t->tenant_id);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->organization_name, "Acme Ltd");
}

TEST_F(TenantServiceTest, OrganisationNamesAreUniqueCaseInsensitively) {
  ASSERT_TRUE(service_.create(admin(), input("Acme Ltd")).ok());
  auto dup = service_.create(admin(), input("ACME LTD"));
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, ErrorCode::Conflict);
}

TEST_F(TenantServiceTest, NamesThatReadTheSameAreOneNameAcrossCaseAndNormalisation) {
  // "Café Zürich" composed, then upper case with decomposed accents: the same name to a reader.
  ASSERT_TRUE(service_.create(admin(), input("Caf\xC3\xA9 Z\xC3\xBCrich")).ok());
  auto dup = service_.create(admin(), input("CAFE\xCC\x81 ZU\xCC\x88RICH"));
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, ErrorCode::Conflict);
  auto sharp = service_.create(admin(), input("Stra\xC3\x9F"
                                              "e AG"));
  ASSERT_TRUE(sharp.ok());
  EXPECT_EQ(service_.create(admin(), input("STRASSE AG")).error().code, ErrorCode::Conflict);
}

TEST_F(TenantServiceTest, DeprovisionFreesTheName) {
  auto t = service_.create(admin(), input("Acme Ltd"));
  ASSERT_TRUE(t.ok());
  ASSERT_TRUE(service_.deprovision(admin(), t->tenant_id, false).ok());
  EXPECT_TRUE(service_.create(admin(), input("acme ltd")).ok());
  auto again = service_.update(admin(), t->tenant_id, UpdateTenantInput{});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::InvalidStatusTransition);
}

TEST_F(TenantServiceTest, StaleIfMatchIsRefusedAndNothingChanges) {
  auto t = service_.create(admin(), input("Acme Ltd"));
  ASSERT_TRUE(t.ok());
  Context ctx = admin();
  ctx.if_match = 7;
  UpdateTenantInput change;
  change.contact_email = "new@example.com";
  auto r = service_.update(ctx, t->tenant_id, change);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::PreconditionFailed);
  EXPECT_EQ(service_.get(admin(), t->tenant_id)->contact_email, "owner@example.com");
}

TEST_F(TenantServiceTest, LifecycleFollowsTheStateMachine) {
  auto t = service_.create(admin(), input("Acme Ltd"));
  ASSERT_TRUE(t.ok());
  auto parked = service_.apply(admin(), t->tenant_id, TenantAction::Park, "maintenance window");
  ASSERT_FALSE(parked.ok());
  EXPECT_EQ(parked.error().code, ErrorCode::InvalidStatusTransition);
  ASSERT_TRUE(service_.set_status(admin(), t->tenant_id, TenantStatus::Active, std::nullopt).ok());
  parked = service_.apply(admin(), t->tenant_id, TenantAction::Park, "maintenance window");
  ASSERT_TRUE(parked.ok());
  EXPECT_EQ(parked->status, TenantStatus::Parked);
  EXPECT_EQ(parked->park_reason, "maintenance window");
  EXPECT_EQ(parked->version, 3);
  auto unparked = service_.apply(admin(), t->tenant_id, TenantAction::Unpark, std::nullopt);
  ASSERT_TRUE(unparked.ok());
  EXPECT_FALSE(unparked->park_reason.has_value());
}

TEST_F(TenantServiceTest, EveryChangeIsAudited) {
  auto t = service_.create(admin(), input("Acme Ltd"));
  ASSERT_TRUE(t.ok());
  clock_.advance(std::chrono::seconds(1));
  ASSERT_TRUE(service_.set_status(admin(), t->tenant_id, TenantStatus::Active, std::nullopt).ok());
  auto audit = service_.audit(admin(), t->tenant_id, PageRequest{});
  ASSERT_TRUE(audit.ok());
  ASSERT_EQ(audit->items.size(), 2U);
  EXPECT_NE(audit->items[0].find("TENANT_ACTIVATED"), std::string::npos);  // newest first
  EXPECT_NE(audit->items[1].find("TENANT_CREATED"), std::string::npos);
}

TEST_F(TenantServiceTest, OutsidersCannotSeeTenants) {
  auto t = service_.create(admin(), input("Acme Ltd"));
  ASSERT_TRUE(t.ok());
  auto read = service_.get(outsider(), t->tenant_id);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code, ErrorCode::TenantNotFound);
  auto list = service_.list(outsider(), TenantFilter{}, PageRequest{});
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->items.empty());
  auto created = service_.create(outsider(), input("Other Org"));
  ASSERT_FALSE(created.ok());
  EXPECT_EQ(created.error().code, ErrorCode::Forbidden);
}

TEST_F(TenantServiceTest, ListPagesNewestFirstWithoutGapsOrDuplicates) {
  std::vector<std::string> ids;
  for (int i = 0; i < 7; ++i) {
    clock_.advance(std::chrono::milliseconds(5));
    ids.push_back(service_.create(admin(), input("Org " + std::to_string(i)))->tenant_id);
  }
  std::vector<std::string> seen;
  PageRequest page{3, std::nullopt};
  for (int round = 0; round < 5; ++round) {
    auto result = service_.list(admin(), TenantFilter{}, page);
    ASSERT_TRUE(result.ok());
    for (const auto& t : result->items) {
      seen.push_back(t.tenant_id);
    }
    if (!result->next) {
      break;
    }
    page.after = result->next;
  }
  std::vector<std::string> expected(ids.rbegin(), ids.rend());
  EXPECT_EQ(seen, expected);
}

TEST_F(TenantServiceTest, ListFiltersByStatusAndNamePrefix) {
  auto a = service_.create(admin(), input("Alpha One"));
  auto b = service_.create(admin(), input("Alpha Two"));
  ASSERT_TRUE(service_.create(admin(), input("Beta")).ok());
  ASSERT_TRUE(service_.set_status(admin(), a->tenant_id, TenantStatus::Active, std::nullopt).ok());
  TenantFilter active;
  active.status = TenantStatus::Active;
  auto r = service_.list(admin(), active, PageRequest{});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->items.size(), 1U);
  EXPECT_EQ(r->items[0].tenant_id, a->tenant_id);
  TenantFilter alpha;
  alpha.name_prefix = "ALPHA";
  r = service_.list(admin(), alpha, PageRequest{});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->items.size(), 2U);
  alpha.status = TenantStatus::Pending;
  r = service_.list(admin(), alpha, PageRequest{});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->items.size(), 1U);
  EXPECT_EQ(r->items[0].tenant_id, b->tenant_id);
}

}  // namespace
}  // namespace tenantd::service
