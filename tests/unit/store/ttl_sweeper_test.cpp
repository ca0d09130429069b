#include "store/ttl_sweeper.hpp"

#include <gtest/gtest.h>

#include "store/sqlite/sqlite_store.hpp"

namespace tenantd::store {
namespace {

Item expiring(std::string pk, std::int64_t ttl) {
  Item item;
  item.pk = std::move(pk);
  item.sk = "S";
  item.ttl = ttl;
  item.data = "{}";
  return item;
}

TEST(TtlSweeper, RemovesOnlyExpiredItemsOfEveryTableInBatches) {
  ManualClock clock(TimePoint(std::chrono::seconds(1000)));
  auto store = sqlite::SqliteStore::open(":memory:", "dev", clock).value();
  for (int i = 0; i < 7; ++i) {
    ASSERT_TRUE(
        store->write({Put{Table::Tenants, expiring("T" + std::to_string(i), 1500), {}}}).ok());
  }
  ASSERT_TRUE(store->write({Put{Table::Control, expiring("C", 1500), {}}}).ok());
  ASSERT_TRUE(store->write({Put{Table::Control, expiring("K", 5000), {}}}).ok());
  TtlSweeper sweeper(*store, std::chrono::hours(1), 3);
  EXPECT_EQ(sweeper.sweep().value(), 0U);  // nothing has expired yet
  clock.advance(std::chrono::seconds(600));
  EXPECT_EQ(sweeper.sweep().value(), 8U);  // 7 tenants items in batches of 3, and one control item
  auto kept = store->get(Table::Control, Key{"K", "S"});
  ASSERT_TRUE(kept.ok());
  EXPECT_TRUE(kept->has_value());
}

TEST(TtlSweeper, StopsPromptlyWhileWaiting) {
  ManualClock clock(TimePoint(std::chrono::seconds(1000)));
  auto store = sqlite::SqliteStore::open(":memory:", "dev", clock).value();
  TtlSweeper sweeper(*store, std::chrono::hours(1));
  sweeper.start();
  const auto started = std::chrono::steady_clock::now();
  sweeper.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
}

}  // namespace
}  // namespace tenantd::store
