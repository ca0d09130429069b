#include "api/store_health.hpp"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

namespace tenantd::api {
namespace {

// A store that reads (ping) but whose writes fail, as on a full disk or a read-only data dir.
class ReadOnlyStore final : public store::ItemStore {
 public:
  bool writable = false;
  bool readable = true;
  std::vector<store::WriteOp> written;

  Result<std::optional<store::Item>> get(store::Table, const store::Key&) override {
    return std::optional<store::Item>();
  }
  Result<std::vector<std::optional<store::Item>>> get_many(
      store::Table, const std::vector<store::Key>&) override {
    return std::vector<std::optional<store::Item>>();
  }
  Result<std::vector<store::Item>> query(const store::Query&) override {
    return std::vector<store::Item>();
  }
  store::WriteResult write(std::vector<store::WriteOp> ops) override {
    if (!writable) {
      return store::WriteResult{store::WriteResult::Status::Failed, 0,
                                "sqlite: database or disk is full"};
    }
    written.insert(written.end(), ops.begin(), ops.end());
    return {};
  }
  Result<std::size_t> purge_expired(store::Table, std::size_t) override { return std::size_t{0}; }
  Status migrate() override { return {}; }
  Status ping() override {
    if (!readable) {
      return Error::make(ErrorCode::InternalError, "sqlite: unable to open database file");
    }
    return {};
  }
};

const TimePoint kNow{std::chrono::seconds(1769337000)};

TEST(StoreHealth, AStoreThatReadsButCannotWriteIsNotWritable) {
  ReadOnlyStore store;  // once: ping alone said "storage":"ok"
  const StoreCondition condition = check_store(store, kNow);
  EXPECT_TRUE(condition.readable);
  EXPECT_FALSE(condition.writable);
  EXPECT_NE(condition.problem.find("disk is full"), std::string::npos);
}

TEST(StoreHealth, AWritableStoreGetsTheProbeItemOnly) {
  ReadOnlyStore store;
  store.writable = true;
  const StoreCondition condition = check_store(store, kNow);
  EXPECT_TRUE(condition.writable);
  ASSERT_EQ(store.written.size(), 1U);
  const auto& put = std::get<store::Put>(store.written[0]);
  EXPECT_EQ(put.table, store::Table::Control);
  EXPECT_EQ(put.item.pk, "HEALTH#PROBE");
}

TEST(StoreHealth, AStoreThatCannotBeReadIsNeitherReadableNorWritable) {
  ReadOnlyStore store;
  store.readable = false;
  const StoreCondition condition = check_store(store, kNow);
  EXPECT_FALSE(condition.readable);
  EXPECT_FALSE(condition.writable);
}

}  // namespace
}  // namespace tenantd::api
