#pragma once
// The item store port: a narrow, DynamoDB-shaped contract (docs/storage.md).
// Repositories are written once against it; sqlite/ and dynamodb/ implement it,
// and tests/conformance proves they behave the same.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.hpp"

namespace tenantd::store {

// The logical tables; physical names are "bbws-<name>-<env>".
enum class Table { Tenants, Instances, Invitations, Control };
inline constexpr std::array<Table, 4> kAllTables = {Table::Tenants, Table::Instances,
                                                    Table::Invitations, Table::Control};
std::string_view table_base_name(Table table);                      // "tenants", "instances", ...
std::string table_name(Table table, std::string_view environment);  // "bbws-tenants-dev"

// Every table has the same seven optional global secondary indexes GSI1..GSI7
// (attributes GSI<n>PK / GSI<n>SK). An item without an index key is absent from that index.
inline constexpr int kIndexCount = 7;

struct Key {
  std::string pk;
  std::string sk;
};

struct IndexKey {
  std::string pk;
  std::string sk;
};

struct Item {
  std::string pk;
  std::string sk;
  std::array<std::optional<IndexKey>, kIndexCount> indexes{};  // [0] is GSI1
  std::optional<std::int64_t> ttl;  // epoch seconds; once passed, the item reads as absent
  std::string data;                 // a JSON object: the entity's attributes

  Key key() const { return Key{pk, sk}; }
};

// Conditions on the current item, evaluated atomically with the write.
// VersionIs compares the integer attribute "version" of the item's data.
struct Condition {
  enum class Kind { None, NotExists, Exists, VersionIs };
  Kind kind = Kind::None;
  std::int64_t version = 0;

  static Condition none() { return {}; }
  static Condition not_exists() { return {Kind::NotExists, 0}; }
  static Condition exists() { return {Kind::Exists, 0}; }
  static Condition version_is(std::int64_t v) { return {Kind::VersionIs, v}; }
  // Unchanged since it was read at `version`, where 0 means it was absent then.
  static Condition unchanged_since(std::int64_t version) {
    return version == 0 ? not_exists() : version_is(version);
  }

  // Whether the condition holds for the current item: `exists` (present, its ttl not passed) and,
  // for VersionIs, whether its "version" is the one asked for. Every backend decides with this.
  bool holds(bool exists, bool version_matches) const {
    switch (kind) {
      case Kind::None:
        return true;
      case Kind::NotExists:
        return !exists;
      case Kind::Exists:
        return exists;
      case Kind::VersionIs:
        return exists && version_matches;
    }
    return true;
  }
};

struct Put {
  Table table;
  Item item;
  Condition condition;
};
struct Delete {
  Table table;
  Key key;
  Condition condition;
};
struct Check {
  Table table;
  Key key;
  Condition condition;
};
using WriteOp = std::variant<Put, Delete, Check>;

struct WriteResult {
  enum class Status { Ok, ConditionFailed, Failed };
  Status status = Status::Ok;
  std::size_t failed_op = 0;  // index of the op whose condition failed
  std::string message;        // for Failed: what went wrong (never shown to API callers)

  bool ok() const { return status == Status::Ok; }
  bool condition_failed() const { return status == Status::ConditionFailed; }
};

struct SortCondition {
  enum class Kind { Any, BeginsWith, Between, AtLeast, AtMost };
  Kind kind = Kind::Any;
  std::string low;   // BeginsWith prefix, Between low, AtLeast bound
  std::string high;  // Between high, AtMost bound

  static SortCondition any() { return {}; }
  static SortCondition begins_with(std::string prefix) {
    return {Kind::BeginsWith, std::move(prefix), {}};
  }
  static SortCondition between(std::string lo, std::string hi) {
    return {Kind::Between, std::move(lo), std::move(hi)};
  }
  static SortCondition at_least(std::string lo) { return {Kind::AtLeast, std::move(lo), {}}; }
  static SortCondition at_most(std::string hi) { return {Kind::AtMost, {}, std::move(hi)}; }
};

// Where the previous page ended (exclusive). For index queries the table key breaks ties.
struct Cursor {
  std::string index_pk;
  std::string index_sk;
  std::string pk;
  std::string sk;
};

struct Query {
  Table table = Table::Tenants;
  int index = 0;  // 0: the table own keys; 1..7: GSI1..GSI7
  std::string pk;
  SortCondition sk;
  bool forward = true;  // ascending sort key
  int limit = 20;
  std::optional<Cursor> start_after;
  // false: the items are only read, never written back (a list page), so they need not carry
  // the other indexes' keys, which a store may then leave out. The queried index's key stays
  // (cursor_after needs it), and so do the table key, ttl and data.
  bool other_index_keys = true;
};

// Whether the items `query` returns carry the key of `index` (1..7).
inline bool carries_index_key(const Query& query, int index) {
  return query.other_index_keys || query.index == index;
}

// The cursor that continues a query after `item`.
Cursor cursor_after(const Item& item, int index);

class ItemStore {
 public:
  virtual ~ItemStore() = default;

  virtual Result<std::optional<Item>> get(Table table, const Key& key) = 0;
  // Several items of one table in one round trip, read from one snapshot; in key order of the
  // request, absent (or expired) items as nullopt. At most 100 keys, as DynamoDB's batch reads.
  virtual Result<std::vector<std::optional<Item>>> get_many(Table table,
                                                            const std::vector<Key>& keys) = 0;
  // Items in key order, at most `limit`; never reads beyond what the page needs.
  virtual Result<std::vector<Item>> query(const Query& query) = 0;
  // All ops commit together or none does; conditions are checked atomically.
  virtual WriteResult write(std::vector<WriteOp> ops) = 0;
  // Physically removes items whose ttl has passed; returns how many.
  virtual Result<std::size_t> purge_expired(Table table, std::size_t max_items) = 0;
  // Creates tables and indexes when missing (idempotent).
  virtual Status migrate() = 0;
  // Cheap round trip for the health check.
  virtual Status ping() = 0;

  // Between these two calls on one thread, that thread's reads may share one snapshot: the one
  // its first read takes, renewed after every write this store commits meanwhile. An HTTP loop
  // brackets the read requests of one turn with them, all of which arrived before the first is
  // answered (docs/decisions/0035-read-batches-share-a-snapshot.md). Stores whose reads are
  // single requests (PostgreSQL, DynamoDB) ignore them.
  virtual void begin_read_batch() {}
  virtual void end_read_batch() {}
};

}  // namespace tenantd::store
