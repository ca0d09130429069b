#include "conformance/item_store_conformance.hpp"

#include <algorithm>
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "core/json.hpp"

namespace tenantd::conformance {

using store::Check;
using store::Condition;
using store::Cursor;
using store::Delete;
using store::IndexKey;
using store::Item;
using store::Key;
using store::Put;
using store::Query;
using store::SortCondition;
using store::Table;
using store::WriteOp;
using store::WriteResult;

void ItemStoreConformance::SetUp() {
  backend_ = GetParam().make();
  ASSERT_NE(backend_, nullptr);
  store_ = backend_->create(clock_);
  ASSERT_NE(store_, nullptr);
}

void ItemStoreConformance::TearDown() {
  store_.reset();
  backend_.reset();
}

namespace {

Item make_item(std::string pk, std::string sk, std::string data = "{}") {
  Item item;
  item.pk = std::move(pk);
  item.sk = std::move(sk);
  item.data = std::move(data);
  return item;
}

std::string versioned(std::int64_t version) {
  return "{\"version\":" + std::to_string(version) + "}";
}

// The "version" attribute of an item's data, or -1.
std::int64_t version_of(const Item& item) {
  auto doc = parse_json(item.data);
  if (!doc || !doc->IsObject() || !doc->HasMember("version") || !(*doc)["version"].IsInt64()) {
    return -1;
  }
  return (*doc)["version"].GetInt64();
}

std::vector<std::string> sort_keys(const std::vector<Item>& items) {
  std::vector<std::string> out;
  for (const Item& item : items) {
    out.push_back(item.sk);
  }
  return out;
}

std::vector<std::string> table_keys(const std::vector<Item>& items) {
  std::vector<std::string> out;
  for (const Item& item : items) {
    out.push_back(item.pk + "|" + item.sk);
  }
  return out;
}

Query table_query(std::string pk, SortCondition sk = SortCondition::any(), bool forward = true,
                  int limit = 100) {
  Query q;
  q.table = Table::Tenants;
  q.index = 0;
  q.pk = std::move(pk);
  q.sk = std::move(sk);
  q.forward = forward;
  q.limit = limit;
  return q;
}

Query index_query(int index, std::string pk, SortCondition sk = SortCondition::any(),
                  bool forward = true, int limit = 100) {
  Query q = table_query(std::move(pk), std::move(sk), forward, limit);
  q.index = index;
  return q;
}

// Convenience wrappers that fail the test on a store error.
class Ops {
 public:
  explicit Ops(store::ItemStore& store) : store_(store) {}

  std::optional<Item> get(Table table, const Key& key) {
    auto got = store_.get(table, key);
    EXPECT_TRUE(got.ok()) << (got.ok() ? "" : got.error().message);
    return got.ok() ? std::move(got.value()) : std::nullopt;
  }
  std::vector<Item> query(const Query& q) {
    auto got = store_.query(q);
    EXPECT_TRUE(got.ok()) << (got.ok() ? "" : got.error().message);
    return got.ok() ? std::move(got.value()) : std::vector<Item>{};
  }
  WriteResult put(Item item, Condition condition = Condition::none(),
                  Table table = Table::Tenants) {
    std::vector<WriteOp> ops;
    ops.emplace_back(Put{table, std::move(item), condition});
    return store_.write(std::move(ops));
  }
  void put_ok(Item item, Table table = Table::Tenants) {
    const WriteResult r = put(std::move(item), Condition::none(), table);
    ASSERT_TRUE(r.ok()) << r.message;
  }
  WriteResult remove(Key key, Condition condition = Condition::none(),
                     Table table = Table::Tenants) {
    std::vector<WriteOp> ops;
    ops.emplace_back(Delete{table, std::move(key), condition});
    return store_.write(std::move(ops));
  }

 private:
  store::ItemStore& store_;
};

// Every item of a query, page by page, continuing with cursor_after.
std::vector<Item> all_pages(store::ItemStore& store, Query q, int* pages = nullptr) {
  std::vector<Item> out;
  int count = 0;
  for (int guard = 0; guard < 1000; ++guard) {
    auto page = store.query(q);
    EXPECT_TRUE(page.ok());
    if (!page.ok()) {
      break;
    }
    ++count;
    out.insert(out.end(), page->begin(), page->end());
    if (static_cast<int>(page->size()) < q.limit) {
      break;
    }
    q.start_after = store::cursor_after(page->back(), q.index);
  }
  if (pages != nullptr) {
    *pages = count;
  }
  return out;
}

// ---- get / put ----

TEST_P(ItemStoreConformance, GetOfMissingItemIsEmpty) {
  Ops ops(*store_);
  EXPECT_FALSE(ops.get(Table::Tenants, {"TENANT#none", "METADATA"}).has_value());
}

TEST_P(ItemStoreConformance, GetManyReturnsItemsInRequestOrderWithGapsForAbsentOnes) {
  Ops ops(*store_);
  Item live = make_item("TENANT#t1", "USER#u1", R"({"role":"Admin"})");
  Item expiring = make_item("TENANT#t1", "USER#u2", R"({"role":"Viewer"})");
  expiring.ttl = kStart + 10;
  ops.put_ok(make_item("TENANT#t1", "METADATA", R"({"version":1})"));
  ops.put_ok(live);
  ops.put_ok(expiring);
  clock_.advance(std::chrono::seconds(10));  // now == ttl: expired
  auto got = store_->get_many(Table::Tenants, {{"TENANT#t1", "USER#u1"},
                                               {"TENANT#t1", "USER#nobody"},
                                               {"TENANT#t1", "METADATA"},
                                               {"TENANT#t1", "USER#u2"}});
  ASSERT_TRUE(got.ok()) << got.error().message;
  ASSERT_EQ(got->size(), 4U);
  ASSERT_TRUE((*got)[0].has_value());
  EXPECT_EQ((*got)[0]->data, live.data);
  EXPECT_FALSE((*got)[1].has_value());
  ASSERT_TRUE((*got)[2].has_value());
  EXPECT_EQ((*got)[2]->sk, "METADATA");
  EXPECT_FALSE((*got)[3].has_value());
  auto none = store_->get_many(Table::Tenants, {});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_P(ItemStoreConformance, PutThenGetRoundTripsEveryField) {
  Ops ops(*store_);
  Item item = make_item("TENANT#t1", "METADATA",
                        R"({"tenantId":"t1","name":"Acme \"Ltd\"","version":3,"tags":["a"]})");
  for (int i = 0; i < store::kIndexCount; ++i) {
    item.indexes[static_cast<std::size_t>(i)] =
        IndexKey{"G" + std::to_string(i + 1) + "PK#x", "G" + std::to_string(i + 1) + "SK#y"};
  }
  item.ttl = kStart + 3600;
  ops.put_ok(item);

  auto got = ops.get(Table::Tenants, {"TENANT#t1", "METADATA"});
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->pk, item.pk);
  EXPECT_EQ(got->sk, item.sk);
  for (std::size_t i = 0; i < item.indexes.size(); ++i) {
    ASSERT_TRUE(got->indexes[i].has_value()) << "GSI" << i + 1;
    EXPECT_EQ(got->indexes[i]->pk, item.indexes[i]->pk);
    EXPECT_EQ(got->indexes[i]->sk, item.indexes[i]->sk);
  }
  ASSERT_TRUE(got->ttl.has_value());
  EXPECT_EQ(*got->ttl, kStart + 3600);
  auto stored = parse_json(got->data);
  auto original = parse_json(item.data);
  ASSERT_TRUE(stored.has_value());
  EXPECT_TRUE(*stored == *original) << got->data;
}

TEST_P(ItemStoreConformance, PutWithoutOptionalFieldsReadsBackWithoutThem) {
  Ops ops(*store_);
  ops.put_ok(make_item("P", "S", R"({"a":1})"));
  auto got = ops.get(Table::Tenants, {"P", "S"});
  ASSERT_TRUE(got.has_value());
  for (const auto& index_key : got->indexes) {
    EXPECT_FALSE(index_key.has_value());
  }
  EXPECT_FALSE(got->ttl.has_value());
}

TEST_P(ItemStoreConformance, NonAsciiKeysAndDataRoundTrip) {
  Ops ops(*store_);
  ops.put_ok(make_item("TENANT#Zoë", "USER#日本", R"({"name":"Zoë 日本"})"));
  auto got = ops.get(Table::Tenants, {"TENANT#Zoë", "USER#日本"});
  ASSERT_TRUE(got.has_value());
  auto doc = parse_json(got->data);
  ASSERT_TRUE(doc.has_value());
  EXPECT_EQ(std::string((*doc)["name"].GetString()), "Zoë 日本");
}

TEST_P(ItemStoreConformance, PutOverwritesTheWholeItem) {
  Ops ops(*store_);
  Item first = make_item("P", "S", versioned(1));
  first.indexes[0] = IndexKey{"G1", "a"};
  first.ttl = kStart + 100;
  ops.put_ok(first);
  ops.put_ok(make_item("P", "S", versioned(2)));

  auto got = ops.get(Table::Tenants, {"P", "S"});
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(version_of(*got), 2);
  EXPECT_FALSE(got->indexes[0].has_value());
  EXPECT_FALSE(got->ttl.has_value());
  EXPECT_TRUE(ops.query(index_query(1, "G1")).empty()) << "old index entry must be gone";
}

TEST_P(ItemStoreConformance, TablesAreSeparate) {
  Ops ops(*store_);
  ops.put_ok(make_item("P", "S", versioned(1)), Table::Tenants);
  ops.put_ok(make_item("P", "S", versioned(2)), Table::Instances);
  EXPECT_EQ(version_of(*ops.get(Table::Tenants, {"P", "S"})), 1);
  EXPECT_EQ(version_of(*ops.get(Table::Instances, {"P", "S"})), 2);
  EXPECT_FALSE(ops.get(Table::Invitations, {"P", "S"}).has_value());
  EXPECT_FALSE(ops.get(Table::Control, {"P", "S"}).has_value());
}

TEST_P(ItemStoreConformance, EmptyWriteSucceeds) {
  EXPECT_TRUE(store_->write({}).ok());
}

TEST_P(ItemStoreConformance, PingSucceeds) {
  EXPECT_TRUE(store_->ping().ok());
}

TEST_P(ItemStoreConformance, MigrateIsIdempotentAndKeepsData) {
  Ops ops(*store_);
  ops.put_ok(make_item("P", "S"));
  ASSERT_TRUE(store_->migrate().ok());
  ASSERT_TRUE(store_->migrate().ok());
  EXPECT_TRUE(ops.get(Table::Tenants, {"P", "S"}).has_value());
}

// ---- conditions ----

TEST_P(ItemStoreConformance, NotExistsPassesOnAbsentItemAndFailsOnPresentOne) {
  Ops ops(*store_);
  EXPECT_TRUE(ops.put(make_item("P", "S", versioned(1)), Condition::not_exists()).ok());
  const WriteResult second = ops.put(make_item("P", "S", versioned(2)), Condition::not_exists());
  EXPECT_TRUE(second.condition_failed());
  EXPECT_EQ(second.failed_op, 0U);
  EXPECT_EQ(version_of(*ops.get(Table::Tenants, {"P", "S"})), 1) << "failed put must not write";
}

TEST_P(ItemStoreConformance, ExistsFailsOnAbsentItemAndPassesOnPresentOne) {
  Ops ops(*store_);
  const WriteResult absent = ops.put(make_item("P", "S", versioned(1)), Condition::exists());
  EXPECT_TRUE(absent.condition_failed());
  EXPECT_FALSE(ops.get(Table::Tenants, {"P", "S"}).has_value());
  ops.put_ok(make_item("P", "S", versioned(1)));
  EXPECT_TRUE(ops.put(make_item("P", "S", versioned(2)), Condition::exists()).ok());
  EXPECT_EQ(version_of(*ops.get(Table::Tenants, {"P", "S"})), 2);
}

TEST_P(ItemStoreConformance, VersionIsPassesOnlyOnTheCurrentVersion) {
  Ops ops(*store_);
  EXPECT_TRUE(
      ops.put(make_item("P", "S", versioned(1)), Condition::version_is(1)).condition_failed())
      << "absent item has no version";
  ops.put_ok(make_item("P", "S", versioned(1)));
  EXPECT_TRUE(
      ops.put(make_item("P", "S", versioned(3)), Condition::version_is(2)).condition_failed());
  EXPECT_TRUE(ops.put(make_item("P", "S", versioned(2)), Condition::version_is(1)).ok());
  EXPECT_TRUE(
      ops.put(make_item("P", "S", versioned(3)), Condition::version_is(1)).condition_failed())
      << "stale version";
  EXPECT_EQ(version_of(*ops.get(Table::Tenants, {"P", "S"})), 2);
}

TEST_P(ItemStoreConformance, VersionIsFailsWhenTheItemHasNoVersion) {
  Ops ops(*store_);
  ops.put_ok(make_item("P", "S", R"({"name":"x"})"));
  EXPECT_TRUE(
      ops.put(make_item("P", "S", versioned(1)), Condition::version_is(0)).condition_failed());
  ops.put_ok(make_item("Q", "S", R"({"version":"1"})"));
  EXPECT_TRUE(
      ops.put(make_item("Q", "S", versioned(2)), Condition::version_is(1)).condition_failed())
      << "a string is not the integer version";
}

TEST_P(ItemStoreConformance, FailedConditionInTransactionWritesNothingAndNamesTheOp) {
  Ops ops(*store_);
  ops.put_ok(make_item("TENANT#t1", "USER#u1", versioned(5)));
  std::vector<WriteOp> tx;
  tx.emplace_back(Put{Table::Tenants, make_item("TENANT#t1", "USER#u2"), Condition::none()});
  tx.emplace_back(Delete{Table::Tenants, {"TENANT#t1", "USER#u1"}, Condition::version_is(5)});
  tx.emplace_back(
      Put{Table::Instances, make_item("TENANT#t1", "INSTANCE#i1"), Condition::not_exists()});
  tx.emplace_back(Put{Table::Tenants, make_item("TENANT#t1", "USER#u3"), Condition::exists()});
  const WriteResult r = store_->write(std::move(tx));
  EXPECT_TRUE(r.condition_failed());
  EXPECT_EQ(r.failed_op, 3U);
  EXPECT_FALSE(ops.get(Table::Tenants, {"TENANT#t1", "USER#u2"}).has_value());
  EXPECT_TRUE(ops.get(Table::Tenants, {"TENANT#t1", "USER#u1"}).has_value());
  EXPECT_FALSE(ops.get(Table::Instances, {"TENANT#t1", "INSTANCE#i1"}).has_value());
  EXPECT_FALSE(ops.get(Table::Tenants, {"TENANT#t1", "USER#u3"}).has_value());
}

TEST_P(ItemStoreConformance, FirstFailingConditionIsReported) {
  Ops ops(*store_);
  ops.put_ok(make_item("A", "1"));
  ops.put_ok(make_item("B", "1"));
  std::vector<WriteOp> tx;
  tx.emplace_back(Check{Table::Tenants, {"A", "1"}, Condition::exists()});
  tx.emplace_back(Put{Table::Tenants, make_item("B", "1"), Condition::not_exists()});
  tx.emplace_back(Put{Table::Tenants, make_item("A", "2"), Condition::exists()});
  const WriteResult r = store_->write(std::move(tx));
  EXPECT_TRUE(r.condition_failed());
  EXPECT_EQ(r.failed_op, 1U);
}

TEST_P(ItemStoreConformance, SuccessfulTransactionWritesEveryOpAcrossTables) {
  Ops ops(*store_);
  ops.put_ok(make_item("TENANT#t1", "USER#old"));
  std::vector<WriteOp> tx;
  tx.emplace_back(Put{Table::Tenants, make_item("TENANT#t1", "METADATA", versioned(1)),
                      Condition::not_exists()});
  tx.emplace_back(
      Put{Table::Instances, make_item("TENANT#t1", "INSTANCE#i1"), Condition::not_exists()});
  tx.emplace_back(Delete{Table::Tenants, {"TENANT#t1", "USER#old"}, Condition::exists()});
  tx.emplace_back(Put{Table::Control, make_item("OUTBOX#1", "EVENT"), Condition::none()});
  ASSERT_TRUE(store_->write(std::move(tx)).ok());
  EXPECT_TRUE(ops.get(Table::Tenants, {"TENANT#t1", "METADATA"}).has_value());
  EXPECT_TRUE(ops.get(Table::Instances, {"TENANT#t1", "INSTANCE#i1"}).has_value());
  EXPECT_FALSE(ops.get(Table::Tenants, {"TENANT#t1", "USER#old"}).has_value());
  EXPECT_TRUE(ops.get(Table::Control, {"OUTBOX#1", "EVENT"}).has_value());
}

TEST_P(ItemStoreConformance, TwoOpsOnOneItemAreRejected) {
  // DynamoDB refuses a transaction that touches one item twice; every backend does the same.
  Ops ops(*store_);
  std::vector<WriteOp> tx;
  tx.emplace_back(Put{Table::Tenants, make_item("P", "S"), Condition::none()});
  tx.emplace_back(Check{Table::Tenants, {"P", "S"}, Condition::not_exists()});
  const WriteResult r = store_->write(std::move(tx));
  EXPECT_EQ(r.status, WriteResult::Status::Failed);
  EXPECT_FALSE(ops.get(Table::Tenants, {"P", "S"}).has_value());
}

TEST_P(ItemStoreConformance, TransactionsOfUpToAHundredOpsWorkAndLargerOnesAreRejected) {
  // 100 is DynamoDB's TransactWriteItems limit.
  Ops ops(*store_);
  std::vector<WriteOp> hundred;
  for (int i = 0; i < 100; ++i) {
    hundred.emplace_back(
        Put{Table::Tenants, make_item("BULK", "ITEM#" + std::to_string(i)), Condition::none()});
  }
  std::vector<WriteOp> too_many = hundred;
  too_many.emplace_back(Put{Table::Tenants, make_item("BULK", "ITEM#100"), Condition::none()});
  EXPECT_EQ(store_->write(std::move(too_many)).status, WriteResult::Status::Failed);
  EXPECT_TRUE(ops.query(table_query("BULK")).empty());
  ASSERT_TRUE(store_->write(std::move(hundred)).ok());
  EXPECT_EQ(ops.query(table_query("BULK", SortCondition::any(), true, 1000)).size(), 100U);
}

TEST_P(ItemStoreConformance, CheckGuardsTheOtherOpsWithoutWriting) {
  Ops ops(*store_);
  std::vector<WriteOp> guarded;
  guarded.emplace_back(Check{Table::Tenants, {"TENANT#t1", "METADATA"}, Condition::exists()});
  guarded.emplace_back(Put{Table::Tenants, make_item("TENANT#t1", "USER#u1"), Condition::none()});
  const WriteResult missing = store_->write(guarded);
  EXPECT_TRUE(missing.condition_failed());
  EXPECT_EQ(missing.failed_op, 0U);
  EXPECT_FALSE(ops.get(Table::Tenants, {"TENANT#t1", "USER#u1"}).has_value());

  ops.put_ok(make_item("TENANT#t1", "METADATA", versioned(7)));
  ASSERT_TRUE(store_->write(guarded).ok());
  EXPECT_TRUE(ops.get(Table::Tenants, {"TENANT#t1", "USER#u1"}).has_value());
  auto guard = ops.get(Table::Tenants, {"TENANT#t1", "METADATA"});
  ASSERT_TRUE(guard.has_value());
  EXPECT_EQ(version_of(*guard), 7) << "a check never writes";
}

TEST_P(ItemStoreConformance, CheckSupportsEveryConditionKind) {
  Ops ops(*store_);
  ops.put_ok(make_item("P", "S", versioned(4)));
  auto check = [&](Key key, Condition c) {
    std::vector<WriteOp> tx;
    tx.emplace_back(Check{Table::Tenants, std::move(key), c});
    return store_->write(std::move(tx));
  };
  EXPECT_TRUE(check({"P", "S"}, Condition::none()).ok());
  EXPECT_TRUE(check({"P", "S"}, Condition::exists()).ok());
  EXPECT_TRUE(check({"P", "S"}, Condition::not_exists()).condition_failed());
  EXPECT_TRUE(check({"P", "S"}, Condition::version_is(4)).ok());
  EXPECT_TRUE(check({"P", "S"}, Condition::version_is(3)).condition_failed());
  EXPECT_TRUE(check({"P", "X"}, Condition::not_exists()).ok());
  EXPECT_TRUE(check({"P", "X"}, Condition::exists()).condition_failed());
}

// ---- delete ----

TEST_P(ItemStoreConformance, DeleteRemovesTheItemAndItsIndexEntries) {
  Ops ops(*store_);
  Item item = make_item("P", "S");
  item.indexes[1] = IndexKey{"G2", "k"};
  ops.put_ok(item);
  ASSERT_TRUE(ops.remove({"P", "S"}).ok());
  EXPECT_FALSE(ops.get(Table::Tenants, {"P", "S"}).has_value());
  EXPECT_TRUE(ops.query(index_query(2, "G2")).empty());
  EXPECT_TRUE(ops.remove({"P", "S"}).ok()) << "unconditional delete of a missing item is fine";
}

TEST_P(ItemStoreConformance, DeleteHonoursItsCondition) {
  Ops ops(*store_);
  ops.put_ok(make_item("P", "S", versioned(2)));
  EXPECT_TRUE(ops.remove({"P", "S"}, Condition::version_is(1)).condition_failed());
  EXPECT_TRUE(ops.get(Table::Tenants, {"P", "S"}).has_value());
  EXPECT_TRUE(ops.remove({"P", "missing"}, Condition::exists()).condition_failed());
  EXPECT_TRUE(ops.remove({"P", "S"}, Condition::version_is(2)).ok());
  EXPECT_FALSE(ops.get(Table::Tenants, {"P", "S"}).has_value());
}

// ---- queries on the table ----

class QueryFixture {
 public:
  // Partition "TENANT#t1" with sort keys in a known order, plus neighbours that must not leak.
  static void fill(Ops& ops) {
    for (const char* sk : {"EVENT#2026-01-02", "EVENT#2026-01-01", "METADATA", "USER#b", "USER#a",
                           "USER#c", "USER$", "USER", "EVENT#2026-01-03"}) {
      ops.put_ok(make_item("TENANT#t1", sk));
    }
    ops.put_ok(make_item("TENANT#t0", "USER#a"));
    ops.put_ok(make_item("TENANT#t2", "USER#a"));
    ops.put_ok(make_item("TENANT#t1x", "USER#a"));
  }
};

using Strings = std::vector<std::string>;

TEST_P(ItemStoreConformance, QueryReturnsThePartitionInSortKeyOrder) {
  Ops ops(*store_);
  QueryFixture::fill(ops);
  EXPECT_EQ(sort_keys(ops.query(table_query("TENANT#t1"))),
            (Strings{"EVENT#2026-01-01", "EVENT#2026-01-02", "EVENT#2026-01-03", "METADATA", "USER",
                     "USER#a", "USER#b", "USER#c", "USER$"}));
  EXPECT_EQ(sort_keys(ops.query(table_query("TENANT#t1", SortCondition::any(), false))),
            (Strings{"USER$", "USER#c", "USER#b", "USER#a", "USER", "METADATA", "EVENT#2026-01-03",
                     "EVENT#2026-01-02", "EVENT#2026-01-01"}));
  EXPECT_TRUE(ops.query(table_query("TENANT#none")).empty());
}

TEST_P(ItemStoreConformance, QueryBeginsWithMatchesExactlyThePrefix) {
  Ops ops(*store_);
  QueryFixture::fill(ops);
  EXPECT_EQ(sort_keys(ops.query(table_query("TENANT#t1", SortCondition::begins_with("USER#")))),
            (Strings{"USER#a", "USER#b", "USER#c"}));
  EXPECT_EQ(
      sort_keys(ops.query(table_query("TENANT#t1", SortCondition::begins_with("USER#"), false))),
      (Strings{"USER#c", "USER#b", "USER#a"}));
  EXPECT_EQ(sort_keys(ops.query(table_query("TENANT#t1", SortCondition::begins_with("USER")))),
            (Strings{"USER", "USER#a", "USER#b", "USER#c", "USER$"}));
  EXPECT_EQ(sort_keys(ops.query(table_query("TENANT#t1", SortCondition::begins_with("METADATA")))),
            (Strings{"METADATA"}));
  EXPECT_TRUE(ops.query(table_query("TENANT#t1", SortCondition::begins_with("X"))).empty());
}

TEST_P(ItemStoreConformance, QueryBetweenIsInclusiveOnBothEnds) {
  Ops ops(*store_);
  QueryFixture::fill(ops);
  EXPECT_EQ(sort_keys(ops.query(
                table_query("TENANT#t1", SortCondition::between("EVENT#2026-01-02", "METADATA")))),
            (Strings{"EVENT#2026-01-02", "EVENT#2026-01-03", "METADATA"}));
  EXPECT_EQ(sort_keys(ops.query(table_query(
                "TENANT#t1", SortCondition::between("EVENT#2026-01-02", "METADATA"), false))),
            (Strings{"METADATA", "EVENT#2026-01-03", "EVENT#2026-01-02"}));
}

TEST_P(ItemStoreConformance, QueryAtLeastAndAtMostAreInclusive) {
  Ops ops(*store_);
  QueryFixture::fill(ops);
  EXPECT_EQ(sort_keys(ops.query(table_query("TENANT#t1", SortCondition::at_least("USER#b")))),
            (Strings{"USER#b", "USER#c", "USER$"}));
  EXPECT_EQ(
      sort_keys(ops.query(table_query("TENANT#t1", SortCondition::at_most("EVENT#2026-01-02")))),
      (Strings{"EVENT#2026-01-01", "EVENT#2026-01-02"}));
  EXPECT_EQ(sort_keys(ops.query(
                table_query("TENANT#t1", SortCondition::at_most("EVENT#2026-01-02"), false))),
            (Strings{"EVENT#2026-01-02", "EVENT#2026-01-01"}));
}

TEST_P(ItemStoreConformance, QueryLimitCapsThePage) {
  Ops ops(*store_);
  QueryFixture::fill(ops);
  EXPECT_EQ(sort_keys(ops.query(table_query("TENANT#t1", SortCondition::any(), true, 2))),
            (Strings{"EVENT#2026-01-01", "EVENT#2026-01-02"}));
  EXPECT_EQ(sort_keys(ops.query(table_query("TENANT#t1", SortCondition::any(), false, 1))),
            (Strings{"USER$"}));
}

TEST_P(ItemStoreConformance, TableQueryPagesWithCursorsCoverEverythingOnce) {
  Ops ops(*store_);
  Strings expected;
  for (int i = 0; i < 23; ++i) {
    char sk[32];
    std::snprintf(sk, sizeof sk, "USER#%03d", i);
    ops.put_ok(make_item("TENANT#t1", sk));
    expected.emplace_back(sk);
  }
  ops.put_ok(make_item("TENANT#t1", "METADATA"));
  int pages = 0;
  EXPECT_EQ(
      sort_keys(all_pages(
          *store_, table_query("TENANT#t1", SortCondition::begins_with("USER#"), true, 5), &pages)),
      expected);
  EXPECT_EQ(pages, 5);
  std::reverse(expected.begin(), expected.end());
  EXPECT_EQ(sort_keys(all_pages(
                *store_, table_query("TENANT#t1", SortCondition::begins_with("USER#"), false, 5))),
            expected);
}

TEST_P(ItemStoreConformance, CursorOutsideTheRangeStillHonoursTheRange) {
  Ops ops(*store_);
  QueryFixture::fill(ops);
  Query q = table_query("TENANT#t1", SortCondition::between("METADATA", "USER#b"));
  q.start_after = Cursor{{}, {}, "TENANT#t1", "A"};  // before the range
  EXPECT_EQ(sort_keys(ops.query(q)), (Strings{"METADATA", "USER", "USER#a", "USER#b"}));
  q.start_after = Cursor{{}, {}, "TENANT#t1", "USER#a"};  // inside
  EXPECT_EQ(sort_keys(ops.query(q)), (Strings{"USER#b"}));
  q.start_after = Cursor{{}, {}, "TENANT#t1", "Z"};  // past it
  EXPECT_TRUE(ops.query(q).empty());
  q.forward = false;
  EXPECT_EQ(sort_keys(ops.query(q)), (Strings{"USER#b", "USER#a", "USER", "METADATA"}));
  q.start_after = Cursor{{}, {}, "TENANT#t1", "USER"};
  EXPECT_EQ(sort_keys(ops.query(q)), (Strings{"METADATA"}));
}

// ---- queries on secondary indexes ----

TEST_P(ItemStoreConformance, IndexQueryFindsOnlyItemsWithThatIndexKey) {
  Ops ops(*store_);
  Item a = make_item("TENANT#t1", "METADATA");
  a.indexes[0] = IndexKey{"STATUS#ACTIVE", "2026-01-02#t1"};
  Item b = make_item("TENANT#t2", "METADATA");
  b.indexes[0] = IndexKey{"STATUS#ACTIVE", "2026-01-01#t2"};
  b.indexes[2] = IndexKey{"NAME", "beta"};
  Item c = make_item("TENANT#t3", "METADATA");  // no index keys at all
  Item d = make_item("TENANT#t4", "METADATA");
  d.indexes[0] = IndexKey{"STATUS#SUSPENDED", "2026-01-01#t4"};
  for (const Item& item : {a, b, c, d}) {
    ops.put_ok(item);
  }
  EXPECT_EQ(table_keys(ops.query(index_query(1, "STATUS#ACTIVE"))),
            (Strings{"TENANT#t2|METADATA", "TENANT#t1|METADATA"}));
  EXPECT_EQ(table_keys(ops.query(index_query(1, "STATUS#ACTIVE", SortCondition::any(), false))),
            (Strings{"TENANT#t1|METADATA", "TENANT#t2|METADATA"}));
  EXPECT_EQ(table_keys(ops.query(index_query(3, "NAME"))), (Strings{"TENANT#t2|METADATA"}));
  for (int index : {2, 4, 5}) {
    EXPECT_TRUE(ops.query(index_query(index, "STATUS#ACTIVE")).empty()) << "GSI" << index;
    EXPECT_TRUE(ops.query(index_query(index, "NAME")).empty()) << "GSI" << index;
  }
  // Index queries return the whole item.
  auto got = ops.query(index_query(3, "NAME"));
  ASSERT_EQ(got.size(), 1U);
  ASSERT_TRUE(got[0].indexes[0].has_value());
  EXPECT_EQ(got[0].indexes[0]->sk, "2026-01-01#t2");
}

TEST_P(ItemStoreConformance, AReadOnlyQueryStillPagesAndKeepsItsOwnIndexKeyAndData) {
  // other_index_keys = false (list pages): the items may lack the other indexes' keys, but keep
  // what reading and paging need.
  Ops ops(*store_);
  Strings expected;
  for (int i = 0; i < 7; ++i) {
    Item item = make_item("TENANT#t" + std::to_string(i), "METADATA", versioned(i));
    item.indexes[1] = IndexKey{"ALL", "2026-01-0" + std::to_string(i)};
    item.indexes[3] = IndexKey{"OTHER", "x"};
    item.ttl = 4'000'000'000;
    ops.put_ok(item);
    expected.push_back(item.pk + "|METADATA");
  }
  Query q = index_query(2, "ALL", SortCondition::any(), true, 3);
  q.other_index_keys = false;
  int pages = 0;
  const std::vector<Item> items = all_pages(*store_, q, &pages);
  EXPECT_EQ(table_keys(items), expected);
  EXPECT_EQ(pages, 3);
  for (std::size_t i = 0; i < items.size(); ++i) {
    ASSERT_TRUE(items[i].indexes[1].has_value());
    EXPECT_EQ(items[i].indexes[1]->sk, "2026-01-0" + std::to_string(i));
    EXPECT_EQ(version_of(items[i]), static_cast<std::int64_t>(i));
    EXPECT_EQ(items[i].ttl, std::optional<std::int64_t>(4'000'000'000));
  }
}

TEST_P(ItemStoreConformance, IndexQueryAppliesSortConditionsToTheIndexSortKey) {
  Ops ops(*store_);
  for (const char* isk : {"EMAIL#a@x", "EMAIL#b@x", "EMAIL#c@x", "EMAIL$", "NAME#z"}) {
    Item item = make_item(std::string("USER#") + isk, "METADATA");
    item.indexes[4] = IndexKey{"LOOKUP", isk};
    ops.put_ok(item);
  }
  auto index_sks = [](const std::vector<Item>& items) {
    Strings out;
    for (const Item& item : items) {
      out.push_back(item.indexes[4]->sk);
    }
    return out;
  };
  EXPECT_EQ(index_sks(ops.query(index_query(5, "LOOKUP", SortCondition::begins_with("EMAIL#")))),
            (Strings{"EMAIL#a@x", "EMAIL#b@x", "EMAIL#c@x"}));
  EXPECT_EQ(index_sks(ops.query(
                index_query(5, "LOOKUP", SortCondition::between("EMAIL#b@x", "EMAIL$"), false))),
            (Strings{"EMAIL$", "EMAIL#c@x", "EMAIL#b@x"}));
  EXPECT_EQ(index_sks(ops.query(index_query(5, "LOOKUP", SortCondition::at_least("EMAIL$")))),
            (Strings{"EMAIL$", "NAME#z"}));
  EXPECT_EQ(index_sks(ops.query(index_query(5, "LOOKUP", SortCondition::at_most("EMAIL#a@x")))),
            (Strings{"EMAIL#a@x"}));
}

TEST_P(ItemStoreConformance, IndexPaginationBreaksSortKeyTiesByTableKey) {
  Ops ops(*store_);
  // 31 items over 4 distinct index sort keys: most pages end in the middle of a tie.
  std::vector<std::string> expected;
  std::vector<Item> items;
  for (int i = 0; i < 31; ++i) {
    const std::string isk = "2026-01-0" + std::to_string(i % 4);
    Item item =
        make_item("TENANT#" + std::to_string(100 + (i * 7) % 31), "USER#" + std::to_string(i % 3));
    item.indexes[1] = IndexKey{"ORG#o1", isk};
    items.push_back(item);
  }
  // Also items in another index partition that must never show up.
  for (int i = 0; i < 5; ++i) {
    Item item = make_item("OTHER#" + std::to_string(i), "X");
    item.indexes[1] = IndexKey{"ORG#o2", "2026-01-01"};
    items.push_back(item);
  }
  for (const Item& item : items) {
    ops.put_ok(item);
  }
  std::vector<std::tuple<std::string, std::string, std::string>> order;
  for (const Item& item : items) {
    if (item.indexes[1]->pk == "ORG#o1") {
      order.emplace_back(item.indexes[1]->sk, item.pk, item.sk);
    }
  }
  std::sort(order.begin(), order.end());
  for (const auto& [isk, pk, sk] : order) {
    expected.push_back(pk + "|" + sk);
  }

  for (int page_size : {1, 4, 7, 31, 50}) {
    int pages = 0;
    EXPECT_EQ(
        table_keys(all_pages(
            *store_, index_query(2, "ORG#o1", SortCondition::any(), true, page_size), &pages)),
        expected)
        << "page size " << page_size;
    EXPECT_EQ(pages, 31 / page_size + 1) << "page size " << page_size;
  }
  Strings backward(expected.rbegin(), expected.rend());
  EXPECT_EQ(
      table_keys(all_pages(*store_, index_query(2, "ORG#o1", SortCondition::any(), false, 6))),
      backward);
  // With a sort condition too: only the two middle sort keys, across pages.
  Strings middle;
  for (const auto& [isk, pk, sk] : order) {
    if (isk == "2026-01-01" || isk == "2026-01-02") {
      middle.push_back(pk + "|" + sk);
    }
  }
  EXPECT_EQ(table_keys(all_pages(
                *store_, index_query(2, "ORG#o1",
                                     SortCondition::between("2026-01-01", "2026-01-02"), true, 3))),
            middle);
  Strings middle_backward(middle.rbegin(), middle.rend());
  EXPECT_EQ(
      table_keys(all_pages(
          *store_,
          index_query(2, "ORG#o1", SortCondition::between("2026-01-01", "2026-01-02"), false, 3))),
      middle_backward);
}

// ---- ttl ----

TEST_P(ItemStoreConformance, ExpiredItemsReadAsAbsentEverywhere) {
  Ops ops(*store_);
  Item item = make_item("TENANT#t1", "EVENT#1", versioned(1));
  item.ttl = kStart + 60;
  item.indexes[0] = IndexKey{"AUDIT", "1"};
  ops.put_ok(item);
  Item keeper = make_item("TENANT#t1", "EVENT#2");
  keeper.indexes[0] = IndexKey{"AUDIT", "2"};
  ops.put_ok(keeper);

  clock_.advance(std::chrono::seconds(59));
  EXPECT_TRUE(ops.get(Table::Tenants, item.key()).has_value()) << "visible before its ttl";
  EXPECT_EQ(ops.query(table_query("TENANT#t1")).size(), 2U);
  EXPECT_EQ(ops.query(index_query(1, "AUDIT")).size(), 2U);

  clock_.advance(std::chrono::seconds(1));  // now == ttl: expired
  EXPECT_FALSE(ops.get(Table::Tenants, item.key()).has_value());
  EXPECT_EQ(sort_keys(ops.query(table_query("TENANT#t1"))), (Strings{"EVENT#2"}));
  EXPECT_EQ(sort_keys(ops.query(index_query(1, "AUDIT"))), (Strings{"EVENT#2"}));
}

TEST_P(ItemStoreConformance, ExpiredItemsCountAsAbsentForConditions) {
  Ops ops(*store_);
  Item item = make_item("IDEMPOTENCY#k", "RECORD", versioned(1));
  item.ttl = kStart + 10;
  ops.put_ok(item);
  EXPECT_TRUE(
      ops.put(make_item("IDEMPOTENCY#k", "RECORD"), Condition::not_exists()).condition_failed());
  clock_.advance(std::chrono::seconds(10));
  std::vector<WriteOp> checks;
  checks.emplace_back(Check{Table::Tenants, item.key(), Condition::exists()});
  EXPECT_TRUE(store_->write(checks).condition_failed());
  EXPECT_TRUE(ops.remove(item.key(), Condition::version_is(1)).condition_failed());
  EXPECT_TRUE(
      ops.put(make_item("IDEMPOTENCY#k", "RECORD", versioned(9)), Condition::not_exists()).ok())
      << "an expired item does not block a NotExists put";
  auto got = ops.get(Table::Tenants, item.key());
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(version_of(*got), 9);
  EXPECT_FALSE(got->ttl.has_value());
}

TEST_P(ItemStoreConformance, PurgeRemovesOnlyExpiredItemsUpToTheLimit) {
  Ops ops(*store_);
  for (int i = 0; i < 5; ++i) {
    Item item = make_item("P", "OLD#" + std::to_string(i));
    item.ttl = kStart + 5;
    ops.put_ok(item, Table::Invitations);
  }
  Item later = make_item("P", "LATER");
  later.ttl = kStart + 1000;
  ops.put_ok(later, Table::Invitations);
  ops.put_ok(make_item("P", "FOREVER"), Table::Invitations);
  Item other_table = make_item("P", "OLD#0");
  other_table.ttl = kStart + 5;
  ops.put_ok(other_table, Table::Tenants);

  auto none = store_->purge_expired(Table::Invitations, 100);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0U) << "nothing has expired yet";

  clock_.advance(std::chrono::seconds(5));
  auto first = store_->purge_expired(Table::Invitations, 3);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, 3U);
  auto second = store_->purge_expired(Table::Invitations, 100);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second, 2U);
  auto third = store_->purge_expired(Table::Invitations, 100);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(*third, 0U);

  // Still-live items remain (and so does the expired item of the other table until purged).
  Query q = table_query("P");
  q.table = Table::Invitations;
  EXPECT_EQ(sort_keys(ops.query(q)), (Strings{"FOREVER", "LATER"}));
  clock_.set(TimePoint(std::chrono::seconds(kStart)));
  EXPECT_EQ(sort_keys(ops.query(q)), (Strings{"FOREVER", "LATER"})) << "purged items are gone";
  EXPECT_TRUE(ops.get(Table::Tenants, {"P", "OLD#0"}).has_value());
}

// ---- concurrency ----

TEST_P(ItemStoreConformance, ConcurrentVersionedUpdatesLoseNothing) {
  Ops ops(*store_);
  ops.put_ok(make_item("COUNTER", "C", versioned(0)));
  constexpr int kThreads = 8;
  constexpr int kAttempts = 150;
  std::atomic<int> successes{0};
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kAttempts; ++i) {
        auto current = store_->get(Table::Tenants, {"COUNTER", "C"});
        if (!current.ok() || !current->has_value()) {
          ++errors;
          continue;
        }
        const std::int64_t version = version_of(**current);
        std::vector<WriteOp> tx;
        tx.emplace_back(Put{Table::Tenants, make_item("COUNTER", "C", versioned(version + 1)),
                            Condition::version_is(version)});
        const WriteResult r = store_->write(std::move(tx));
        if (r.ok()) {
          ++successes;
        } else if (!r.condition_failed()) {
          ++errors;
        }
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(errors.load(), 0);
  EXPECT_GT(successes.load(), 0);
  auto final_item = ops.get(Table::Tenants, {"COUNTER", "C"});
  ASSERT_TRUE(final_item.has_value());
  EXPECT_EQ(version_of(*final_item), successes.load());
}

TEST_P(ItemStoreConformance, ConcurrentNotExistsPutsHaveExactlyOneWinner) {
  constexpr int kThreads = 8;
  constexpr int kRounds = 20;
  for (int round = 0; round < kRounds; ++round) {
    std::atomic<int> wins{0};
    std::atomic<int> losses{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        while (!go.load()) {
          std::this_thread::yield();
        }
        std::vector<WriteOp> tx;
        tx.emplace_back(Put{Table::Tenants,
                            make_item("EMAIL#x" + std::to_string(round), "UNIQUE", versioned(t)),
                            Condition::not_exists()});
        const WriteResult r = store_->write(std::move(tx));
        if (r.ok()) {
          ++wins;
        } else if (r.condition_failed()) {
          ++losses;
        }
      });
    }
    go = true;
    for (auto& thread : threads) {
      thread.join();
    }
    EXPECT_EQ(wins.load(), 1) << "round " << round;
    EXPECT_EQ(losses.load(), kThreads - 1) << "round " << round;
  }
}

TEST_P(ItemStoreConformance, ReadersSeeWholeTransactionsOnly) {
  // Two items always written together: a reader never sees one without the other.
  Ops ops(*store_);
  std::atomic<bool> done{false};
  std::atomic<int> torn{0};
  std::thread writer([&] {
    for (int v = 1; v <= 200; ++v) {
      std::vector<WriteOp> tx;
      tx.emplace_back(Put{Table::Tenants, make_item("PAIR", "A", versioned(v)), Condition::none()});
      tx.emplace_back(Put{Table::Tenants, make_item("PAIR", "B", versioned(v)), Condition::none()});
      EXPECT_TRUE(store_->write(std::move(tx)).ok());
    }
    done = true;
  });
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&] {
      while (!done.load()) {
        auto page = store_->query(table_query("PAIR"));
        if (page.ok() && page->size() == 2 && version_of((*page)[0]) != version_of((*page)[1])) {
          ++torn;
        }
      }
    });
  }
  writer.join();
  for (auto& reader : readers) {
    reader.join();
  }
  EXPECT_EQ(torn.load(), 0);
}

// ---- durability ----

TEST_P(ItemStoreConformance, AcknowledgedWritesSurviveReopening) {
  Ops ops(*store_);
  Item item = make_item("TENANT#t1", "METADATA", versioned(3));
  item.indexes[0] = IndexKey{"STATUS#ACTIVE", "t1"};
  item.ttl = kStart + 1000;
  ops.put_ok(item);
  ops.put_ok(make_item("TENANT#t1", "USER#u1"));
  ASSERT_TRUE(ops.remove({"TENANT#t1", "USER#u1"}).ok());
  store_.reset();

  store_ = backend_->reopen(clock_);
  if (store_ == nullptr) {
    GTEST_SKIP() << "backend keeps no data across instances";
  }
  Ops reopened(*store_);
  auto got = reopened.get(Table::Tenants, {"TENANT#t1", "METADATA"});
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(version_of(*got), 3);
  EXPECT_EQ(got->ttl, item.ttl);
  EXPECT_EQ(table_keys(reopened.query(index_query(1, "STATUS#ACTIVE"))),
            (Strings{"TENANT#t1|METADATA"}));
  EXPECT_FALSE(reopened.get(Table::Tenants, {"TENANT#t1", "USER#u1"}).has_value());
}

}  // namespace
}  // namespace tenantd::conformance
