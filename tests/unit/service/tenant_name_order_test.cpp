#include "service/tenant_name_order.hpp"

#include <gtest/gtest.h>

#include "store/sqlite/sqlite_store.hpp"

namespace tenantd::service {
namespace {

// Tenants created by a service without the ordering hook stand for tenants stored before the
// name order existed; the backfill must give each its item, once.
class NameOrderBackfillTest : public ::testing::Test {
 protected:
  NameOrderBackfillTest()
      : clock_(TimePoint(std::chrono::milliseconds(1769337000000))),
        store_(store::sqlite::SqliteStore::open(":memory:", "dev", clock_).value()),
        legacy_(*store_, ids_, ChangeLogOptions{}, TenantEvents{}) {}

  Context admin() const {
    return Context{Principal{"user-admin", "admin@example.com", {"platform-admins"}}, "req-1",
                   clock_.now(), std::nullopt};
  }
  domain::Tenant create(TenantService& service, std::string name) {
    CreateTenantInput in;
    in.organization_name = std::move(name);
    in.contact_email = "owner@example.com";
    return service.create(admin(), in).value();
  }
  std::vector<std::string> names_in_order() {
    TenantFilter filter;
    filter.sort = TenantSort::OrganizationName;
    filter.ascending = true;
    auto page = legacy_.list(admin(), filter, PageRequest{100, std::nullopt});
    EXPECT_TRUE(page.ok());
    std::vector<std::string> names;
    for (const auto& t : page->items) {
      names.push_back(t.organization_name);
    }
    return names;
  }

  ManualClock clock_;
  SequentialIds ids_;
  std::unique_ptr<store::ItemStore> store_;
  TenantService legacy_;
};

TEST_F(NameOrderBackfillTest, GivesEveryTenantWithoutAnOrderingItemOne) {
  create(legacy_, "Zeta Corp");
  create(legacy_, "alpha works");
  EXPECT_TRUE(names_in_order().empty());

  auto written = backfill_name_order(*store_);
  ASSERT_TRUE(written.ok());
  EXPECT_EQ(*written, 2);
  EXPECT_EQ(names_in_order(), (std::vector<std::string>{"alpha works", "Zeta Corp"}));
}

TEST_F(NameOrderBackfillTest, RunsOnceThenCostsOneRead) {
  create(legacy_, "First Ltd");
  ASSERT_EQ(backfill_name_order(*store_).value(), 1);
  create(legacy_, "Later Ltd");  // not backfilled: the marker says the upgrade is done
  EXPECT_EQ(backfill_name_order(*store_).value(), 0);
  EXPECT_EQ(names_in_order(), (std::vector<std::string>{"First Ltd"}));
}

TEST_F(NameOrderBackfillTest, LeavesItemsWrittenByTheHookAlone) {
  TenantEvents events;
  events.hooks.push_back(name_order_hook());
  TenantService current(*store_, ids_, ChangeLogOptions{}, std::move(events));
  create(current, "Hooked Ltd");
  create(legacy_, "Legacy Ltd");
  EXPECT_EQ(backfill_name_order(*store_).value(), 1);
  EXPECT_EQ(names_in_order(), (std::vector<std::string>{"Hooked Ltd", "Legacy Ltd"}));
}

}  // namespace
}  // namespace tenantd::service
