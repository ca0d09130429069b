#include "store/postgres/postgres_store.hpp"

#include <algorithm>
#include <set>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "core/json.hpp"
#include "store/postgres/pg_connection.hpp"
#include "store/postgres/pg_schema.hpp"
#include "store/postgres/pg_text.hpp"

namespace tenantd::store::postgres {

namespace {

constexpr int kTtlColumn = 2 + 2 * kIndexCount;
constexpr int kDataColumn = kTtlColumn + 1;
constexpr int kWriteAttempts = 3;  // a deadlock victim runs again (nothing of it was applied)

std::string column_list() {
  std::string out = "pk, sk";
  for (int i = 1; i <= kIndexCount; ++i) {
    const std::string n = std::to_string(i);
    out += ", gsi" + n + "pk, gsi" + n + "sk";
  }
  return out + ", ttl, data";
}

const std::string kColumns = column_list();

std::size_t slot(Table table) {
  return static_cast<std::size_t>(table);
}

Error database_error(PgConnection& c, std::string_view what, const PgResult& result) {
  const bool unavailable = c.broken() || is_unavailable(result.sqlstate());
  return Error::make(unavailable ? ErrorCode::ServiceUnavailable : ErrorCode::InternalError,
                     "postgres: " + std::string(what) + ": " + result.message());
}

// The row `row` of `r`, with the index keys the query (if any) wants.
Item read_item(const PgResult& r, int row, const Query* query = nullptr) {
  Item item;
  item.pk = std::string(r.text(row, 0));
  item.sk = std::string(r.text(row, 1));
  for (int i = 0; i < kIndexCount; ++i) {
    const int column = 2 + 2 * i;
    if ((query == nullptr || carries_index_key(*query, i + 1)) && !r.is_null(row, column)) {
      item.indexes[static_cast<std::size_t>(i)] =
          IndexKey{std::string(r.text(row, column)), std::string(r.text(row, column + 1))};
    }
  }
  if (!r.is_null(row, kTtlColumn)) {
    item.ttl = r.integer(row, kTtlColumn);
  }
  item.data = std::string(r.text(row, kDataColumn));
  return item;
}

// The integer "version" of an item's data, as VersionIs compares it.
std::optional<std::int64_t> data_version(std::string_view data) {
  const auto doc = parse_json(data);
  if (!doc || !doc->IsObject()) {
    return std::nullopt;
  }
  const auto it = doc->FindMember("version");
  if (it == doc->MemberEnd() || !it->value.IsInt64()) {
    return std::nullopt;
  }
  return it->value.GetInt64();
}

// ---- queries ----

enum class Lower { None, Inclusive, Cursor };
enum class Upper { None, Inclusive, Exclusive, Cursor };

struct QueryPlan {
  Lower lower = Lower::None;
  Upper upper = Upper::None;
  std::string low;
  std::string high;
};

// At most one lower and one upper term, one of which may be the cursor: whichever of a cursor
// and a bound on the same side is tighter implies the other, so the index range is exact.
QueryPlan plan_bounds(const Query& query) {
  QueryPlan plan;
  const SortCondition& sc = query.sk;
  switch (sc.kind) {
    case SortCondition::Kind::Any:
      break;
    case SortCondition::Kind::BeginsWith:
      plan.lower = Lower::Inclusive;
      plan.low = sc.low;
      if (auto next = utf8_prefix_successor(sc.low)) {
        plan.upper = Upper::Exclusive;
        plan.high = std::move(*next);
      }
      break;
    case SortCondition::Kind::Between:
      plan.lower = Lower::Inclusive;
      plan.low = sc.low;
      plan.upper = Upper::Inclusive;
      plan.high = sc.high;
      break;
    case SortCondition::Kind::AtLeast:
      plan.lower = Lower::Inclusive;
      plan.low = sc.low;
      break;
    case SortCondition::Kind::AtMost:
      plan.upper = Upper::Inclusive;
      plan.high = sc.high;
      break;
  }
  if (!query.start_after) {
    return plan;
  }
  const std::string& c = query.index > 0 ? query.start_after->index_sk : query.start_after->sk;
  if (query.forward) {
    if (plan.lower == Lower::None || c >= plan.low) {
      plan.lower = Lower::Cursor;
    }
  } else if (plan.upper == Upper::None || (plan.upper == Upper::Inclusive && c <= plan.high) ||
             (plan.upper == Upper::Exclusive && c < plan.high)) {
    plan.upper = Upper::Cursor;
  }
  return plan;
}

// The statement of a query shape, and its parameters when `bind` is given: the partition key,
// the bounds the plan uses, now, limit, numbered in that order.
std::string query_sql(const std::string& table, const Query& query, const QueryPlan& plan,
                      std::int64_t now, Params* bind) {
  const bool gsi = query.index > 0;
  const std::string n = std::to_string(query.index);
  const std::string pk_col = gsi ? "gsi" + n + "pk" : "pk";
  const std::string sk_col = gsi ? "gsi" + n + "sk" : "sk";
  int next = 1;
  auto param = [&next] { return "$" + std::to_string(next++); };

  std::string sql = "SELECT " + kColumns + " FROM " + table + " WHERE " + pk_col + " = " + param();
  if (bind != nullptr) {
    bind->text(query.pk);
  }
  auto cursor_term = [&](const char* op) {
    if (gsi) {
      sql += " AND (" + sk_col + ", pk, sk) " + op + " (" + param() + ", ";
      sql += param() + ", ";
      sql += param() + ")";
      if (bind != nullptr) {
        bind->text(query.start_after->index_sk);
        bind->text(query.start_after->pk);
        bind->text(query.start_after->sk);
      }
    } else {
      sql += " AND sk " + std::string(op) + " " + param();
      if (bind != nullptr) {
        bind->text(query.start_after->sk);
      }
    }
  };
  switch (plan.lower) {
    case Lower::None:
      break;
    case Lower::Inclusive:
      sql += " AND " + sk_col + " >= " + param();
      if (bind != nullptr) {
        bind->text(plan.low);
      }
      break;
    case Lower::Cursor:
      cursor_term(">");
      break;
  }
  switch (plan.upper) {
    case Upper::None:
      break;
    case Upper::Inclusive:
    case Upper::Exclusive:
      sql += " AND " + sk_col + (plan.upper == Upper::Inclusive ? " <= " : " < ") + param();
      if (bind != nullptr) {
        bind->text(plan.high);
      }
      break;
    case Upper::Cursor:
      cursor_term("<");
      break;
  }
  sql += " AND (ttl IS NULL OR ttl > " + param() + ") ORDER BY ";
  const char* dir = query.forward ? " ASC" : " DESC";
  if (gsi) {
    sql += sk_col + dir + ", pk" + dir + ", sk" + dir;
  } else {
    sql += std::string("sk") + dir;
  }
  sql += " LIMIT " + param();
  if (bind != nullptr) {
    bind->integer(now);
    bind->integer(query.limit);
  }
  return sql;
}

std::string query_name(Table table, const Query& query, const QueryPlan& plan) {
  return "q" + std::to_string(slot(table)) + "_" + std::to_string(query.index) + "_" +
         std::to_string(static_cast<int>(plan.lower)) +
         std::to_string(static_cast<int>(plan.upper)) + (query.forward ? "f" : "b");
}

// ---- writes ----

struct OpKey {
  Table table;
  const std::string* pk;
  const std::string* sk;
};

OpKey op_key(const WriteOp& op) {
  if (const auto* put = std::get_if<Put>(&op)) {
    return {put->table, &put->item.pk, &put->item.sk};
  }
  if (const auto* del = std::get_if<Delete>(&op)) {
    return {del->table, &del->key.pk, &del->key.sk};
  }
  const Check& check = std::get<Check>(op);
  return {check.table, &check.key.pk, &check.key.sk};
}

const Condition& op_condition(const WriteOp& op) {
  return std::visit([](const auto& o) -> const Condition& { return o.condition; }, op);
}

// What DynamoDB rejects, rejected here too, so that code passing here also runs there.
std::optional<std::string> validate(const std::vector<WriteOp>& ops) {
  if (ops.size() > kMaxWriteOps) {
    return std::to_string(ops.size()) + " ops in one transaction (at most " +
           std::to_string(kMaxWriteOps) + ")";
  }
  std::set<std::tuple<Table, std::string_view, std::string_view>> seen;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const OpKey key = op_key(ops[i]);
    if (key.pk->empty() || key.sk->empty()) {
      return "op " + std::to_string(i) + ": empty pk or sk";
    }
    if (!seen.emplace(key.table, *key.pk, *key.sk).second) {
      return "op " + std::to_string(i) + ": a second op on the same item";
    }
    if (const auto* put = std::get_if<Put>(&ops[i])) {
      for (const auto& index_key : put->item.indexes) {
        if (index_key && (index_key->pk.empty() || index_key->sk.empty())) {
          return "op " + std::to_string(i) + ": empty index key";
        }
      }
    }
  }
  return std::nullopt;
}

std::string insert_sql(const std::string& table, bool upsert) {
  std::string sql = "INSERT INTO " + table + " (" + kColumns + ") VALUES ($1";
  for (int i = 2; i <= kDataColumn + 1; ++i) {
    sql += ", $" + std::to_string(i);
  }
  sql += ")";
  if (upsert) {
    sql += " ON CONFLICT (pk, sk) DO UPDATE SET ";
    for (int i = 1; i <= kIndexCount; ++i) {
      const std::string n = std::to_string(i);
      sql += "gsi" + n + "pk = EXCLUDED.gsi" + n + "pk, gsi" + n + "sk = EXCLUDED.gsi" + n + "sk, ";
    }
    sql += "ttl = EXCLUDED.ttl, data = EXCLUDED.data";
  }
  return sql;
}

void bind_item(Params& params, const Item& item) {
  params.text(item.pk);
  params.text(item.sk);
  for (const auto& index_key : item.indexes) {
    if (index_key) {
      params.text(index_key->pk);
      params.text(index_key->sk);
    } else {
      params.null();
      params.null();
    }
  }
  if (item.ttl) {
    params.integer(*item.ttl);
  } else {
    params.null();
  }
  params.text(item.data);
}

WriteResult failed(std::string message) {
  WriteResult r;
  r.status = WriteResult::Status::Failed;
  r.message = std::move(message);
  return r;
}

WriteResult condition_failed_at(std::size_t op) {
  WriteResult r;
  r.status = WriteResult::Status::ConditionFailed;
  r.failed_op = op;
  return r;
}

// Whether `condition` holds for the row `current` read (ttl, data; no row: absent). A row whose
// ttl has passed counts as absent.
bool condition_holds(const Condition& condition, const PgResult& current, std::int64_t now) {
  const bool exists = current.rows() == 1 && (current.is_null(0, 0) || current.integer(0, 0) > now);
  // The version is parsed only when the condition asks for it.
  const bool version_matches = exists && condition.kind == Condition::Kind::VersionIs &&
                               data_version(current.text(0, 1)) == condition.version;
  return condition.holds(exists, version_matches);
}

}  // namespace

// Exclusive use of a pooled connection; a connection that lost its server is not returned.
class PostgresStore::Lease {
 public:
  Lease(PostgresStore* store, std::unique_ptr<PgConnection> connection)
      : store_(store), connection_(std::move(connection)) {}
  Lease(Lease&& other) noexcept = default;
  Lease& operator=(Lease&&) = delete;
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  ~Lease() {
    if (connection_ != nullptr) {
      store_->release(std::move(connection_));
    }
  }
  PgConnection& operator*() const { return *connection_; }
  PgConnection* operator->() const { return connection_.get(); }

 private:
  PostgresStore* store_;
  std::unique_ptr<PgConnection> connection_;
};

PostgresStore::PostgresStore(std::string url, std::string environment, const Clock& clock,
                             PostgresOptions options)
    : url_(std::move(url)), environment_(std::move(environment)), clock_(clock), options_(options) {
  options_.max_connections = std::max<std::size_t>(options_.max_connections, 1);
  for (const Table table : kAllTables) {
    tables_.push_back(quoted_table(table, environment_));
  }
}

PostgresStore::~PostgresStore() = default;

Result<std::unique_ptr<PostgresStore>> PostgresStore::open(const std::string& url,
                                                           std::string environment,
                                                           const Clock& clock,
                                                           PostgresOptions options) {
  std::unique_ptr<PostgresStore> store(
      new PostgresStore(url, std::move(environment), clock, options));
  // One connection now, so that a wrong URL or password fails at start, not at first request.
  TENANTD_TRY(store->acquire());
  return store;
}

Result<PostgresStore::Lease> PostgresStore::acquire() {
  {
    std::unique_lock lock(pool_mutex_);
    const bool available = pool_freed_.wait_for(lock, options_.acquire_timeout, [this] {
      return !idle_.empty() || open_connections_ < options_.max_connections;
    });
    if (!available) {
      return Error::make(ErrorCode::ServiceUnavailable,
                         "postgres: every pooled connection stayed busy");
    }
    if (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(connection));
    }
    ++open_connections_;
  }
  auto connection = PgConnection::connect(url_);
  if (!connection) {
    {
      std::lock_guard lock(pool_mutex_);
      --open_connections_;
    }
    pool_freed_.notify_one();
    return std::move(connection).error();
  }
  return Lease(this, std::move(*connection));
}

void PostgresStore::release(std::unique_ptr<PgConnection> connection) {
  {
    std::lock_guard lock(pool_mutex_);
    if (connection->broken()) {
      --open_connections_;
    } else {
      idle_.push_back(std::move(connection));
    }
  }
  connection.reset();  // a broken one closes outside the lock
  pool_freed_.notify_one();
}

std::int64_t PostgresStore::now_seconds() const {
  return epoch_seconds(clock_.now());
}

template <class T, class F>
Result<T> PostgresStore::with_reader(F&& read) {
  for (int attempt = 0;; ++attempt) {
    TENANTD_TRY_ASSIGN(auto lease, acquire());
    Result<T> result = read(*lease);
    if (result.ok() || !lease->broken() || attempt > 0) {
      return result;
    }
    // The pooled connection had lost its server (a restart): try once on a new one.
  }
}

Status PostgresStore::migrate() {
  TENANTD_TRY_ASSIGN(auto lease, acquire());
  return apply_migrations(*lease, environment_);
}

Status PostgresStore::check_schema() {
  auto checked = with_reader<bool>([this](PgConnection& c) -> Result<bool> {
    TENANTD_TRY(postgres::check_schema(c, environment_));
    return true;
  });
  TENANTD_TRY(std::move(checked));
  return {};
}

Status PostgresStore::ping() {
  auto pinged = with_reader<bool>([](PgConnection& c) -> Result<bool> {
    PgResult r = c.run(
        "ping", [] { return std::string("SELECT 1"); }, Params());
    if (!r.ok()) {
      return database_error(c, "ping", r);
    }
    return true;
  });
  TENANTD_TRY(std::move(pinged));
  return {};
}

Result<std::optional<Item>> PostgresStore::get(Table table, const Key& key) {
  const std::int64_t now = now_seconds();
  return with_reader<std::optional<Item>>([&](PgConnection& c) -> Result<std::optional<Item>> {
    Params params;
    params.text(key.pk);
    params.text(key.sk);
    params.integer(now);
    PgResult r = c.run(
        "get" + std::to_string(slot(table)),
        [&] {
          return "SELECT " + kColumns + " FROM " + tables_[slot(table)] +
                 " WHERE pk = $1 AND sk = $2 AND (ttl IS NULL OR ttl > $3)";
        },
        params);
    if (!r.ok()) {
      return database_error(c, "get", r);
    }
    if (r.rows() == 0) {
      return std::optional<Item>();
    }
    return std::optional<Item>(read_item(r, 0));
  });
}

Result<std::vector<std::optional<Item>>> PostgresStore::get_many(Table table,
                                                                 const std::vector<Key>& keys) {
  if (keys.size() > kMaxWriteOps) {
    return Error::make(ErrorCode::InternalError, "postgres: more than 100 keys in one get_many");
  }
  std::vector<std::optional<Item>> items(keys.size());
  if (keys.empty()) {
    return items;
  }
  std::vector<std::string_view> pks;
  std::vector<std::string_view> sks;
  for (const Key& key : keys) {
    pks.emplace_back(key.pk);
    sks.emplace_back(key.sk);
  }
  const std::int64_t now = now_seconds();
  // One statement, hence one snapshot, for all the keys.
  return with_reader<std::vector<std::optional<Item>>>(
      [&](PgConnection& c) -> Result<std::vector<std::optional<Item>>> {
        Params params;
        params.literal(text_array_literal(pks));
        params.literal(text_array_literal(sks));
        params.integer(now);
        PgResult r = c.run(
            "getmany" + std::to_string(slot(table)),
            [&] {
              return "SELECT " + kColumns + " FROM " + tables_[slot(table)] +
                     " WHERE (pk, sk) IN (SELECT * FROM unnest($1::text[], $2::text[]))"
                     " AND (ttl IS NULL OR ttl > $3)";
            },
            params);
        if (!r.ok()) {
          return database_error(c, "get_many", r);
        }
        std::unordered_map<std::string, Item> found;
        for (int row = 0; row < r.rows(); ++row) {
          Item item = read_item(r, row);
          std::string id = item.pk;
          id += '\0';
          id += item.sk;
          found.emplace(std::move(id), std::move(item));
        }
        std::vector<std::optional<Item>> out(keys.size());
        for (std::size_t i = 0; i < keys.size(); ++i) {
          std::string id = keys[i].pk;
          id += '\0';
          id += keys[i].sk;
          if (auto it = found.find(id); it != found.end()) {
            out[i] = it->second;
          }
        }
        return out;
      });
}

Result<std::vector<Item>> PostgresStore::query(const Query& query) {
  if (query.index < 0 || query.index > kIndexCount) {
    return Error::make(ErrorCode::InternalError,
                       "postgres: no index " + std::to_string(query.index));
  }
  if (query.limit <= 0) {
    return std::vector<Item>();
  }
  const QueryPlan plan = plan_bounds(query);
  const std::int64_t now = now_seconds();
  const std::string& table = tables_[slot(query.table)];
  return with_reader<std::vector<Item>>([&](PgConnection& c) -> Result<std::vector<Item>> {
    Params params;
    std::string sql = query_sql(table, query, plan, now, &params);
    PgResult r = c.run(
        query_name(query.table, query, plan), [&sql] { return sql; }, params);
    if (!r.ok()) {
      return database_error(c, "query", r);
    }
    std::vector<Item> items;
    items.reserve(static_cast<std::size_t>(r.rows()));
    for (int row = 0; row < r.rows(); ++row) {
      items.push_back(read_item(r, row, &query));
    }
    return items;
  });
}

WriteResult PostgresStore::write(std::vector<WriteOp> ops) {
  if (ops.empty()) {
    return {};
  }
  if (auto invalid = validate(ops)) {
    return failed("postgres: " + *invalid);
  }
  WriteResult result;
  bool reconnected = false;
  for (int attempt = 0; attempt < kWriteAttempts; ++attempt) {
    auto lease = acquire();
    if (!lease) {
      return failed(lease.error().message);
    }
    bool may_retry = false;
    result = write_once(**lease, ops, may_retry);
    if (result.ok() || result.condition_failed() || !may_retry) {
      return result;
    }
    if ((*lease)->broken()) {
      // Nothing was committed (the server drops an unfinished transaction with its
      // connection); one more go on a new connection, which fails fast if the server is down.
      if (reconnected) {
        return result;
      }
      reconnected = true;
    }
  }
  return result;
}

// One attempt of a transaction. `may_retry` says that the attempt failed before COMMIT was
// sent (so nothing of it applied) for a reason another attempt can overcome.
WriteResult PostgresStore::write_once(PgConnection& c, const std::vector<WriteOp>& ops,
                                      bool& may_retry) {
  may_retry = false;
  auto abort = [&](std::string_view what, const PgResult& r) {
    may_retry = c.broken() || is_unavailable(r.sqlstate()) || is_retryable(r.sqlstate());
    WriteResult out = failed(database_error(c, what, r).message);
    if (!c.broken()) {
      c.exec("ROLLBACK");
    }
    return out;
  };
  {
    PgResult begun = c.run(
        "begin", [] { return std::string("BEGIN"); }, Params());
    if (!begun.ok()) {
      return abort("begin", begun);
    }
  }
  const std::int64_t now = now_seconds();
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const WriteOp& op = ops[i];
    const OpKey key = op_key(op);
    const std::size_t t = slot(key.table);
    const std::string& table = tables_[t];
    const Condition& condition = op_condition(op);
    bool row_present = false;  // physically, expired or not
    if (condition.kind != Condition::Kind::None) {
      // FOR UPDATE holds the row until COMMIT, so the condition still holds when we write.
      Params params;
      params.text(*key.pk);
      params.text(*key.sk);
      PgResult current = c.run(
          "cur" + std::to_string(t),
          [&] {
            return "SELECT ttl, data FROM " + table + " WHERE pk = $1 AND sk = $2 FOR UPDATE";
          },
          params);
      if (!current.ok()) {
        return abort("condition", current);
      }
      row_present = current.rows() == 1;
      if (!condition_holds(condition, current, now)) {
        c.exec("ROLLBACK");
        return condition_failed_at(i);
      }
    }
    if (const auto* put = std::get_if<Put>(&op)) {
      // An absent row cannot be locked: a plain INSERT makes a concurrent creator of the same
      // key wait for us and then fail on the primary key, which is its condition failing.
      const bool insert_only = condition.kind != Condition::Kind::None && !row_present;
      Params params;
      bind_item(params, put->item);
      PgResult r = c.run((insert_only ? "ins" : "put") + std::to_string(t),
                         [&] { return insert_sql(table, !insert_only); }, params);
      if (!r.ok()) {
        if (insert_only && r.sqlstate() == "23505") {
          c.exec("ROLLBACK");
          return condition_failed_at(i);
        }
        return abort("put", r);
      }
    } else if (std::holds_alternative<Delete>(op)) {
      Params params;
      params.text(*key.pk);
      params.text(*key.sk);
      PgResult r = c.run(
          "del" + std::to_string(t),
          [&] { return "DELETE FROM " + table + " WHERE pk = $1 AND sk = $2"; }, params);
      if (!r.ok()) {
        return abort("delete", r);
      }
    }
  }
  PgResult committed = c.run(
      "commit", [] { return std::string("COMMIT"); }, Params());
  if (!committed.ok()) {
    // Without an answer to COMMIT the transaction may have applied: never run it again.
    WriteResult out = failed(database_error(c, "commit", committed).message);
    if (!c.broken()) {
      c.exec("ROLLBACK");
    }
    return out;
  }
  return {};
}

Result<std::size_t> PostgresStore::purge_expired(Table table, std::size_t max_items) {
  if (max_items == 0) {
    return std::size_t{0};
  }
  const std::int64_t now = now_seconds();
  TENANTD_TRY_ASSIGN(auto lease, acquire());
  PgConnection& c = *lease;
  Params params;
  params.integer(now);
  params.integer(static_cast<std::int64_t>(max_items));
  const std::string& name = tables_[slot(table)];
  // SKIP LOCKED: replicas purging at once take different rows instead of waiting on each other.
  PgResult r = c.run(
      "purge" + std::to_string(slot(table)),
      [&] {
        return "DELETE FROM " + name + " WHERE (pk, sk) IN (SELECT pk, sk FROM " + name +
               " WHERE ttl <= $1 LIMIT $2 FOR UPDATE SKIP LOCKED)";
      },
      params);
  if (!r.ok()) {
    return database_error(c, "purge", r);
  }
  return static_cast<std::size_t>(r.affected());
}

}  // namespace tenantd::store::postgres
