// The Idempotency-Key's marker joins a transaction only inside the API's scope, once.
#include "service/request_effect.hpp"

#include <gtest/gtest.h>

namespace tenantd::service::request_effect {
namespace {

MarkerFn marker(std::string_view key) {
  return [pk = "IDEMPOTENCY#" + std::string(key)](std::string_view resource_id) {
    store::Item item;
    item.pk = pk;
    item.sk = "IDEMPOTENCY";
    item.data = std::string(resource_id);
    return item;
  };
}

std::vector<store::WriteOp> one_put() {
  store::Item tenant;
  tenant.pk = "TENANT#t";
  tenant.sk = "META";
  std::vector<store::WriteOp> ops;
  ops.emplace_back(store::Put{store::Table::Tenants, std::move(tenant), store::Condition::none()});
  return ops;
}

TEST(RequestEffect, OutsideAScopeNothingIsAddedAndNothingIsReplayed) {
  auto ops = one_put();
  record(ops, "tenant-1");
  EXPECT_EQ(ops.size(), 1U);
  EXPECT_EQ(applied(), nullptr);
}

TEST(RequestEffect, InsideAScopeTheMarkerNamingTheResourceJoinsTheTransactionOnce) {
  const Scope scope(marker("k1"), std::nullopt);
  auto ops = one_put();
  record(ops, "tenant-1");
  record(ops, "tenant-1");  // a second writer of the same transaction (accept's join)
  ASSERT_EQ(ops.size(), 2U);
  const auto& put = std::get<store::Put>(ops[1]);
  EXPECT_EQ(put.table, store::Table::Control);
  EXPECT_EQ(put.item.pk, "IDEMPOTENCY#k1");
  EXPECT_EQ(put.item.data, "tenant-1");
  EXPECT_EQ(applied(), nullptr);
}

TEST(RequestEffect, AReplayScopeNamesWhatTheFirstRunMadeUntilItCloses) {
  {
    const Scope replay(marker("k1"), std::string("tenant-1"));
    ASSERT_NE(applied(), nullptr);
    EXPECT_EQ(*applied(), "tenant-1");
    {
      const Scope inner(marker("k2"), std::nullopt);  // a nested request of its own
      EXPECT_EQ(applied(), nullptr);
    }
    EXPECT_EQ(*applied(), "tenant-1");
  }
  EXPECT_EQ(applied(), nullptr);
}

}  // namespace
}  // namespace tenantd::service::request_effect
