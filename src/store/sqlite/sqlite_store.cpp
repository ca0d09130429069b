#include "store/sqlite/sqlite_store.hpp"

#include "store/sqlite/wal_write_buffer.hpp"

#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <mutex>
#include <system_error>
#include <thread>
#include <utility>

#include "core/thread_kind.hpp"

namespace tenantd::store::sqlite {

namespace {

constexpr int kBusyTimeoutMs = 10000;
constexpr int kSchemaVersion = 1;
// WAL pages after which a commit asks for a checkpoint (SQLite's own default).
constexpr int kCheckpointPages = 1000;
// WAL pages after which the checkpointer restarts the WAL, holding the write lock. Under a steady
// stream of commits a passive checkpoint never catches up with the last frame, so the WAL (and
// its index, mapped into the process) would grow for as long as the stream lasts: 1.5 GB after
// 7 s of creates (docs/performance.md, 2026-12-05).
constexpr int kRestartPages = 8192;
// How long a restart waits for readers of the old WAL before trying again at a later commit.
constexpr int kRestartBusyMs = 200;

// Columns in the order every SELECT returns them and every INSERT binds them:
// pk, sk, gsi1pk, gsi1sk, ..., ttl, data.
constexpr int kTtlColumn = 2 + 2 * kIndexCount;
constexpr int kDataColumn = kTtlColumn + 1;

// `typed` adds the column types for CREATE TABLE.
std::string column_list(bool typed) {
  std::string out = typed ? "pk TEXT NOT NULL, sk TEXT NOT NULL" : "pk, sk";
  for (int i = 1; i <= kIndexCount; ++i) {
    const std::string n = std::to_string(i);
    out +=
        ", gsi" + n + "pk" + (typed ? " TEXT" : "") + ", gsi" + n + "sk" + (typed ? " TEXT" : "");
  }
  out += typed ? ", ttl INTEGER, data TEXT NOT NULL" : ", ttl, data";
  return out;
}

const std::string kColumns = column_list(false);

// Query statement shapes: the sort key range has at most one lower and one upper term, one of
// which may be the continuation cursor (see plan_bounds), so the index range is exact.
enum class Lower { None, Inclusive, Cursor };
enum class Upper { None, Inclusive, Exclusive, Cursor };
constexpr std::size_t kLowerKinds = 3;
constexpr std::size_t kUpperKinds = 4;
constexpr std::size_t kQueryShapes =
    static_cast<std::size_t>(kIndexCount + 1) * kLowerKinds * kUpperKinds * 2;

std::string quote_identifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    out += c;
    if (c == '"') {
      out += '"';
    }
  }
  out += '"';
  return out;
}

// The smallest string greater than every string that starts with `prefix` (bytewise), or
// nullopt when there is none (prefix empty or all 0xFF).
std::optional<std::string> prefix_successor(std::string prefix) {
  while (!prefix.empty()) {
    auto last = static_cast<unsigned char>(prefix.back());
    if (last != 0xFF) {
      prefix.back() = static_cast<char>(last + 1);
      return prefix;
    }
    prefix.pop_back();
  }
  return std::nullopt;
}

std::size_t table_slot(Table table) {
  return static_cast<std::size_t>(table);
}

// Names the cause an operator can act on: a read-only or full data directory.
std::string describe_data_dir(sqlite3* db) {
  const char* file = sqlite3_db_filename(db, "main");
  if (file == nullptr || *file == '\0') {
    return {};
  }
  const std::string dir = std::filesystem::path(file).parent_path().string();
  const std::string shown = dir.empty() ? "." : dir;
  if (::access(shown.c_str(), W_OK) != 0 || ::access(file, W_OK) != 0) {
    return " (the data directory " + shown + " is read-only)";
  }
  if ((sqlite3_extended_errcode(db) & 0xFF) == SQLITE_FULL) {
    return " (the disk of the data directory " + shown + " is full)";
  }
  return {};
}

Error sqlite_error(sqlite3* db, std::string_view what) {
  const int code = db != nullptr ? sqlite3_extended_errcode(db) : SQLITE_ERROR;
  std::string message = "sqlite: ";
  message += what;
  message += ": ";
  message += db != nullptr ? sqlite3_errmsg(db) : "out of memory";
  const int primary = code & 0xFF;
  if (db != nullptr && (primary == SQLITE_READONLY || primary == SQLITE_CANTOPEN ||
                        primary == SQLITE_IOERR || primary == SQLITE_FULL)) {
    message += describe_data_dir(db);
  }
  const ErrorCode error_code = (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
                                   ? ErrorCode::ServiceUnavailable
                                   : ErrorCode::InternalError;
  return Error::make(error_code, std::move(message));
}

// A prepared statement that is prepared once and reused.
class Statement {
 public:
  Statement() = default;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() { sqlite3_finalize(stmt_); }

  bool prepared() const { return stmt_ != nullptr; }
  sqlite3_stmt* get() const { return stmt_; }
  int prepare(sqlite3* db, const std::string& sql) {
    return sqlite3_prepare_v3(db, sql.c_str(), static_cast<int>(sql.size() + 1),
                              SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

// Resets a statement when the call is done with it, so that a pooled read connection never
// holds a read transaction (and an old snapshot) open between calls.
class Use {
 public:
  explicit Use(sqlite3_stmt* stmt) : stmt_(stmt) {}
  Use(const Use&) = delete;
  Use& operator=(const Use&) = delete;
  ~Use() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  sqlite3_stmt* operator*() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_;
};

void bind_text(sqlite3_stmt* stmt, int index, std::string_view text) {
  sqlite3_bind_text(stmt, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
}

std::string column_text(sqlite3_stmt* stmt, int column) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, column));
  if (text == nullptr) {
    return {};
  }
  return std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt, column)));
}

// The row at `stmt`, with the index keys the query (if any) wants.
Item read_item(sqlite3_stmt* stmt, const Query* query = nullptr) {
  Item item;
  item.pk = column_text(stmt, 0);
  item.sk = column_text(stmt, 1);
  for (int i = 0; i < kIndexCount; ++i) {
    const int column = 2 + 2 * i;
    if ((query == nullptr || carries_index_key(*query, i + 1)) &&
        sqlite3_column_type(stmt, column) != SQLITE_NULL) {
      item.indexes[static_cast<std::size_t>(i)] =
          IndexKey{column_text(stmt, column), column_text(stmt, column + 1)};
    }
  }
  if (sqlite3_column_type(stmt, kTtlColumn) != SQLITE_NULL) {
    item.ttl = sqlite3_column_int64(stmt, kTtlColumn);
  }
  item.data = column_text(stmt, kDataColumn);
  return item;
}

struct TableStatements {
  Statement get;
  Statement put;
  Statement remove;
  Statement current;  // ttl and version of the stored item, for conditions
  Statement purge;
  std::array<Statement, kQueryShapes> queries;
};

struct QueryShape {
  int index = 0;
  Lower lower = Lower::None;
  Upper upper = Upper::None;
  bool forward = true;

  std::size_t slot() const {
    std::size_t s = static_cast<std::size_t>(index);
    s = s * kLowerKinds + static_cast<std::size_t>(lower);
    s = s * kUpperKinds + static_cast<std::size_t>(upper);
    return s * 2 + (forward ? 1 : 0);
  }
};

// Parameters: ?1 partition key, ?2 now, ?3 limit, ?4 lower bound, ?5 upper bound,
// ?6..?8 cursor (index sort key, pk, sk).
std::string query_sql(const std::string& table, const QueryShape& shape) {
  const bool gsi = shape.index > 0;
  const std::string n = std::to_string(shape.index);
  const std::string pk_col = gsi ? "gsi" + n + "pk" : "pk";
  const std::string sk_col = gsi ? "gsi" + n + "sk" : "sk";
  const std::string cursor_cols = gsi ? "(" + sk_col + ", pk, sk)" : "sk";
  const std::string cursor_vals = gsi ? "(?6, ?7, ?8)" : "?8";

  std::string sql = "SELECT ";
  sql += kColumns;
  sql += " FROM " + table;
  if (gsi) {
    // Names the partial index so the planner never considers anything else.
    sql += " INDEXED BY " + quote_identifier(table.substr(1, table.size() - 2) + "-gsi" + n);
  }
  sql += " WHERE " + pk_col + " = ?1";
  switch (shape.lower) {
    case Lower::None:
      break;
    case Lower::Inclusive:
      sql += " AND " + sk_col + " >= ?4";
      break;
    case Lower::Cursor:
      sql += " AND " + cursor_cols + " > " + cursor_vals;
      break;
  }
  switch (shape.upper) {
    case Upper::None:
      break;
    case Upper::Inclusive:
      sql += " AND " + sk_col + " <= ?5";
      break;
    case Upper::Exclusive:
      sql += " AND " + sk_col + " < ?5";
      break;
    case Upper::Cursor:
      sql += " AND " + cursor_cols + " < " + cursor_vals;
      break;
  }
  sql += " AND (ttl IS NULL OR ttl > ?2) ORDER BY ";
  const char* dir = shape.forward ? " ASC" : " DESC";
  if (gsi) {
    sql += sk_col + dir + ", pk" + dir + ", sk" + dir;
  } else {
    sql += std::string("sk") + dir;
  }
  sql += " LIMIT ?3";
  return sql;
}

// What a query binds besides the partition key.
struct QueryPlan {
  QueryShape shape;
  std::string lower;
  std::string upper;
};

// Turns a sort condition and a cursor into at most one lower and one upper term. A cursor and a
// bound on the same side are never both needed: whichever is tighter implies the other.
QueryPlan plan_bounds(const Query& query) {
  QueryPlan plan;
  plan.shape.index = query.index;
  plan.shape.forward = query.forward;
  const SortCondition& sc = query.sk;
  switch (sc.kind) {
    case SortCondition::Kind::Any:
      break;
    case SortCondition::Kind::BeginsWith: {
      plan.shape.lower = Lower::Inclusive;
      plan.lower = sc.low;
      if (auto next = prefix_successor(sc.low)) {
        plan.shape.upper = Upper::Exclusive;
        plan.upper = std::move(*next);
      }
      break;
    }
    case SortCondition::Kind::Between:
      plan.shape.lower = Lower::Inclusive;
      plan.lower = sc.low;
      plan.shape.upper = Upper::Inclusive;
      plan.upper = sc.high;
      break;
    case SortCondition::Kind::AtLeast:
      plan.shape.lower = Lower::Inclusive;
      plan.lower = sc.low;
      break;
    case SortCondition::Kind::AtMost:
      plan.shape.upper = Upper::Inclusive;
      plan.upper = sc.high;
      break;
  }
  if (!query.start_after) {
    return plan;
  }
  const std::string& c = query.index > 0 ? query.start_after->index_sk : query.start_after->sk;
  if (query.forward) {
    // Rows after the cursor have a sort key >= c: the cursor implies the bound when c >= low;
    // otherwise every row in the range already lies after the cursor.
    if (plan.shape.lower == Lower::None || c >= plan.lower) {
      plan.shape.lower = Lower::Cursor;
    }
  } else {
    const bool cursor_tighter = plan.shape.upper == Upper::None ||
                                (plan.shape.upper == Upper::Inclusive && c <= plan.upper) ||
                                (plan.shape.upper == Upper::Exclusive && c < plan.upper);
    if (cursor_tighter) {
      plan.shape.upper = Upper::Cursor;
    }
  }
  return plan;
}

void bind_query(sqlite3_stmt* stmt, const Query& query, const QueryPlan& plan, std::int64_t now) {
  bind_text(stmt, 1, query.pk);
  sqlite3_bind_int64(stmt, 2, now);
  sqlite3_bind_int(stmt, 3, query.limit);
  if (plan.shape.lower == Lower::Inclusive) {
    bind_text(stmt, 4, plan.lower);
  }
  if (plan.shape.upper == Upper::Inclusive || plan.shape.upper == Upper::Exclusive) {
    bind_text(stmt, 5, plan.upper);
  }
  if (plan.shape.lower == Lower::Cursor || plan.shape.upper == Upper::Cursor) {
    const Cursor& c = *query.start_after;
    if (query.index > 0) {
      bind_text(stmt, 6, c.index_sk);
      bind_text(stmt, 7, c.pk);
    }
    bind_text(stmt, 8, c.sk);
  }
}

struct KeyView {
  std::string_view pk;
  std::string_view sk;
};

// The key an op touches, without copying it (Item::key() copies).
KeyView op_key(const WriteOp& op) {
  if (const auto* put = std::get_if<Put>(&op)) {
    return {put->item.pk, put->item.sk};
  }
  if (const auto* del = std::get_if<Delete>(&op)) {
    return {del->key.pk, del->key.sk};
  }
  const Key& key = std::get<Check>(op).key;
  return {key.pk, key.sk};
}

Table op_table(const WriteOp& op) {
  return std::visit([](const auto& o) { return o.table; }, op);
}

const Condition& op_condition(const WriteOp& op) {
  return std::visit([](const auto& o) -> const Condition& { return o.condition; }, op);
}

// DynamoDB rejects these; rejecting them here too keeps repository bugs from passing on SQLite.
std::optional<std::string> validate(const std::vector<WriteOp>& ops) {
  if (ops.size() > kMaxWriteOps) {
    return std::to_string(ops.size()) + " ops in one transaction (at most " +
           std::to_string(kMaxWriteOps) + ")";
  }
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const KeyView key = op_key(ops[i]);
    if (key.pk.empty() || key.sk.empty()) {
      return "op " + std::to_string(i) + ": empty pk or sk";
    }
    if (const auto* put = std::get_if<Put>(&ops[i])) {
      for (const auto& index_key : put->item.indexes) {
        if (index_key && (index_key->pk.empty() || index_key->sk.empty())) {
          return "op " + std::to_string(i) + ": empty index key";
        }
      }
    }
  }
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const Table ti = op_table(ops[i]);
    const KeyView ki = op_key(ops[i]);
    for (std::size_t j = i + 1; j < ops.size(); ++j) {
      const KeyView kj = op_key(ops[j]);
      if (op_table(ops[j]) == ti && kj.pk == ki.pk && kj.sk == ki.sk) {
        return "ops " + std::to_string(i) + " and " + std::to_string(j) + " touch the same item";
      }
    }
  }
  return std::nullopt;
}

// A small number naming the calling thread among the live threads, below kThreadReaders for
// the first kThreadReaders of them (kThreadReaders for the others): the index of the thread's
// own read connection in every store. A thread's slot is freed when it ends and taken by a
// later thread, so that a process that starts and ends many threads keeps few connections.
class ThreadSlots {
 public:
  std::size_t take() {
    std::lock_guard lock(mutex_);
    if (!free_.empty()) {
      const std::size_t slot = free_.back();
      free_.pop_back();
      return slot;
    }
    return next_ < kThreadReaders ? next_++ : kThreadReaders;
  }
  void give_back(std::size_t slot) {
    if (slot < kThreadReaders) {
      std::lock_guard lock(mutex_);
      free_.push_back(slot);
    }
  }

 private:
  std::mutex mutex_;
  std::vector<std::size_t> free_;
  std::size_t next_ = 0;
};

ThreadSlots& thread_slots() {
  // Never destroyed: threads may end after static destruction has begun.
  static auto* slots = new ThreadSlots();  // NOLINT(cppcoreguidelines-owning-memory)
  return *slots;
}

struct ThreadSlot {
  ThreadSlot() : index(thread_slots().take()) {}
  ~ThreadSlot() { thread_slots().give_back(index); }
  ThreadSlot(const ThreadSlot&) = delete;
  ThreadSlot& operator=(const ThreadSlot&) = delete;
  std::size_t index;
};

std::size_t thread_slot() {
  thread_local ThreadSlot slot;
  return slot.index;
}

}  // namespace

struct SqliteStore::Connection {
  sqlite3* db = nullptr;
  Statement begin;
  Statement begin_read;
  Statement commit;
  Statement rollback;
  Statement savepoint;  // one caller's ops within a group (group_commit.hpp)
  Statement release;
  Statement rollback_to;
  Statement ping;
  std::array<TableStatements, kAllTables.size()> tables;
  bool in_use = false;  // a thread's own reader: leased (a nested read then takes a pooled one)
  // A thread's own reader in a read batch: whether the batch's read transaction is open, and
  // the store's commit count when it began.
  bool in_batch = false;
  bool in_snapshot = false;
  std::uint64_t snapshot_commits = 0;

  Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  // close_v2 defers the close until the member statements below have been finalised.
  ~Connection() { sqlite3_close_v2(db); }

  // The cached statement; `make_sql` runs only on first use, so hot paths build no strings.
  template <class MakeSql>
  Result<sqlite3_stmt*> statement(Statement& slot, MakeSql&& make_sql) {
    if (!slot.prepared()) {
      if (slot.prepare(db, make_sql()) != SQLITE_OK) {
        return sqlite_error(db, "prepare");
      }
    }
    return slot.get();
  }

  int exec(const char* sql) { return sqlite3_exec(db, sql, nullptr, nullptr, nullptr); }
};

namespace {

// Begins a read transaction on `c`; the next statement takes its snapshot.
Status begin_read(SqliteStore::Connection& c) {
  auto begin = c.statement(c.begin_read, [] { return std::string("BEGIN"); });
  if (!begin) {
    return std::move(begin).error();
  }
  Use use(*begin);
  if (sqlite3_step(*use) != SQLITE_DONE) {
    return sqlite_error(c.db, "begin");
  }
  return {};
}

// Ends the read transaction on `c`. Should its COMMIT fail, a ROLLBACK ends it all the same (a
// read transaction has nothing to keep), so that a kept connection never keeps an old snapshot.
Status end_read(SqliteStore::Connection& c) {
  auto commit = c.statement(c.commit, [] { return std::string("COMMIT"); });
  if (commit) {
    Use use(*commit);
    if (sqlite3_step(*use) == SQLITE_DONE) {
      return {};
    }
  }
  Error error = commit ? sqlite_error(c.db, "commit") : std::move(commit).error();
  c.exec("ROLLBACK");
  return error;
}

}  // namespace

// Exclusive use of one connection: the calling thread's own reader (marked in use), a pooled
// reader (returned on destruction) or the writer connection under its mutex.
class SqliteStore::Lease {
 public:
  explicit Lease(Connection* own) : own_(own), connection_(own) { own_->in_use = true; }
  Lease(SqliteStore* store, std::unique_ptr<Connection> pooled)
      : store_(store), pooled_(std::move(pooled)), connection_(pooled_.get()) {}
  Lease(std::unique_lock<std::mutex> lock, Connection* connection)
      : lock_(std::move(lock)), connection_(connection) {}
  Lease(Lease&& other) noexcept
      : store_(std::exchange(other.store_, nullptr)),
        pooled_(std::move(other.pooled_)),
        lock_(std::move(other.lock_)),
        own_(std::exchange(other.own_, nullptr)),
        connection_(std::exchange(other.connection_, nullptr)) {}
  Lease& operator=(Lease&&) = delete;
  ~Lease() {
    if (own_ != nullptr) {
      own_->in_use = false;
    }
    if (store_ != nullptr && pooled_) {
      store_->give_back(std::move(pooled_));
    }
  }
  Connection& operator*() const { return *connection_; }
  Connection* operator->() const { return connection_; }

 private:
  SqliteStore* store_ = nullptr;
  std::unique_ptr<Connection> pooled_;
  std::unique_lock<std::mutex> lock_;
  Connection* own_ = nullptr;
  Connection* connection_ = nullptr;
};

SqliteStore::SqliteStore(std::string path, std::string environment, const Clock& clock,
                         bool in_memory, Readers readers)
    : path_(std::move(path)),
      environment_(std::move(environment)),
      clock_(clock),
      in_memory_(in_memory),
      reads_on_writer_(in_memory || readers == Readers::Writer) {
  for (Table table : kAllTables) {
    table_names_.push_back(quote_identifier(table_name(table, environment_)));
  }
}

SqliteStore::~SqliteStore() {
  stop_checkpointer();
  // Readers first: the writer's close checkpoints the WAL.
  for (auto& connection : thread_readers_) {
    connection.reset();
  }
  idle_readers_.clear();
  writer_.reset();
}

namespace {

// Process-wide SQLite settings, made once before the first connection (sqlite3_config is only
// allowed before SQLite initialises; all of the process's SQLite use goes through this store).
// Memory statistics off: with them on (the default) every sqlite3_malloc and sqlite3_free takes
// one global mutex, which the reading threads contended on for every row (issue 17). Nothing
// here reads sqlite3_memory_used() or sets a soft heap limit, which are what they serve.
void configure_sqlite_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    // SQLITE_MISUSE when something initialised SQLite first: the defaults then stay, harmlessly.
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  });
}

}  // namespace

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path,
                                                       std::string environment, const Clock& clock,
                                                       Readers readers) {
  configure_sqlite_once();
  const bool in_memory = path == ":memory:";
  if (path.empty()) {
    // SQLite would give every connection its own private temporary database.
    return Error::make(ErrorCode::InternalError, "sqlite: empty database path");
  }
  if (!in_memory && path.rfind("file:", 0) != 0) {
    const auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty()) {
      std::error_code ec;
      std::filesystem::create_directories(parent, ec);
      if (ec) {
        return Error::make(ErrorCode::InternalError,
                           "sqlite: cannot create " + parent.string() + ": " + ec.message());
      }
    }
  }
  std::unique_ptr<SqliteStore> store(
      new SqliteStore(path, std::move(environment), clock, in_memory, readers));
  auto writer = store->connect(false);
  if (!writer) {
    return std::move(writer).error();
  }
  store->writer_ = std::move(writer.value());
  if (!in_memory) {
    // The writer's commits no longer checkpoint (that would fsync while holding the write lock);
    // a connection of its own does it in the background.
    sqlite3_wal_hook(store->writer_->db, &SqliteStore::on_wal_commit, store.get());
  }
  TENANTD_TRY(store->migrate());
  return store;
}

Result<std::unique_ptr<SqliteStore::Connection>> SqliteStore::connect(bool read_only) const {
  auto connection = std::make_unique<Connection>();
  int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI;
  flags |= read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  // File-backed connections write their WAL through wal_write_buffer.hpp's VFS.
  const int rc = sqlite3_open_v2(path_.c_str(), &connection->db, flags,
                                 in_memory_ ? nullptr : wal_write_buffer_vfs());
  if (rc != SQLITE_OK) {
    Error error = sqlite_error(connection->db, "open " + path_);
    return error;
  }
  sqlite3_extended_result_codes(connection->db, 1);
  sqlite3_busy_timeout(connection->db, kBusyTimeoutMs);
  // WAL lets readers run beside the writer; NORMAL syncs only at checkpoints, which keeps every
  // committed transaction across a process crash (not across power loss). Pages are read into a
  // 2 MiB cache per connection, not mapped: each connection's mapping of the file counted its
  // touched pages in the RSS again (55 MiB after bench/run.sh's load, 25 MiB with this), and the
  // reads measured no slower (docs/performance.md, 2026-12-04).
  const char* pragmas =
      "PRAGMA synchronous=NORMAL; PRAGMA temp_store=MEMORY; PRAGMA cache_size=-2048;"
      "PRAGMA mmap_size=0;";
  if (!in_memory_ && !read_only) {
    // journal_size_limit truncates the WAL after a checkpoint resets it, so a burst of writes
    // does not leave a large file behind.
    if (connection->exec("PRAGMA journal_mode=WAL; PRAGMA journal_size_limit=67108864;") !=
        SQLITE_OK) {
      return sqlite_error(connection->db, "journal_mode");
    }
  }
  if (connection->exec(pragmas) != SQLITE_OK) {
    return sqlite_error(connection->db, "pragmas");
  }
  return connection;
}

int SqliteStore::on_wal_commit(void* self, sqlite3*, const char*, int pages) {
  auto* store = static_cast<SqliteStore*>(self);
  // Called once the commit is visible to new readers, before the writer acknowledges it.
  store->commits_.fetch_add(1, std::memory_order_release);
  if (pages >= kCheckpointPages) {
    {
      std::lock_guard lock(store->checkpoint_mutex_);
      store->checkpoint_due_ = true;
      store->restart_due_ = store->restart_due_ || pages >= kRestartPages;
      // Started when the first checkpoint is due, not with the store: a process that never
      // writes 1,000 pages (a Lambda's short life, a CLI command) never starts the thread.
      if (!store->checkpointer_.joinable()) {
        try {
          store->start_checkpointer();
        } catch (const std::system_error&) {
          // Out of threads: the WAL grows until a later commit tries again. Nothing may be
          // thrown through SQLite's frames.
        }
      }
    }
    store->checkpoint_wanted_.notify_one();
  }
  return SQLITE_OK;
}

void SqliteStore::start_checkpointer() {
  checkpointer_ = std::thread([this] {
    std::unique_ptr<Connection> connection;
    std::unique_lock lock(checkpoint_mutex_);
    while (true) {
      checkpoint_wanted_.wait(lock, [this] { return checkpoint_due_ || stopping_; });
      if (stopping_) {
        return;
      }
      const bool restart = restart_due_;
      checkpoint_due_ = false;
      restart_due_ = false;
      lock.unlock();
      if (!connection) {
        auto opened = connect(false);
        if (!opened) {
          lock.lock();  // the WAL keeps growing until a later commit asks again and this opens
          continue;
        }
        connection = std::move(*opened);
        sqlite3_busy_timeout(connection->db, kRestartBusyMs);
      }
      // PASSIVE never waits for readers or the writer; what it cannot copy now waits for the
      // next request. Its errors (busy) are harmless for the same reason.
      sqlite3_wal_checkpoint_v2(connection->db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr,
                                nullptr);
      if (restart) {
        // Copies what the passive pass left (the commits since it began) and waits for the
        // readers of the old WAL, so that the next commit writes the WAL from its start again.
        // Writers wait on the mutex meanwhile, not in SQLite's sleeping busy handler. Busy (a
        // long reader) is harmless: the next commit asks again.
        std::lock_guard write_lock(writer_mutex_);
        sqlite3_wal_checkpoint_v2(connection->db, nullptr, SQLITE_CHECKPOINT_RESTART, nullptr,
                                  nullptr);
      }
      lock.lock();
    }
  });
}

void SqliteStore::stop_checkpointer() {
  {
    std::lock_guard lock(checkpoint_mutex_);
    if (!checkpointer_.joinable()) {
      return;
    }
    stopping_ = true;
  }
  checkpoint_wanted_.notify_one();
  checkpointer_.join();
}

Result<SqliteStore::Lease> SqliteStore::reader() {
  if (reads_on_writer_) {
    return writer();
  }
  if (std::unique_ptr<Connection>* slot = own_reader_slot(); slot != nullptr) {
    std::unique_ptr<Connection>& own = *slot;
    if (!own) {
      TENANTD_TRY_ASSIGN(own, connect(true));
    }
    if (!own->in_use) {
      if (own->in_batch) {
        TENANTD_TRY(enter_snapshot(*own));
      }
      return Lease(own.get());
    }
  }
  {
    std::lock_guard lock(pool_mutex_);
    if (!idle_readers_.empty()) {
      auto connection = std::move(idle_readers_.back());
      idle_readers_.pop_back();
      return Lease(this, std::move(connection));
    }
  }
  TENANTD_TRY_ASSIGN(auto connection, connect(true));
  return Lease(this, std::move(connection));
}

std::unique_ptr<SqliteStore::Connection>* SqliteStore::own_reader_slot() {
  if (reads_on_writer_ || thread_kind::pooled) {
    return nullptr;
  }
  const std::size_t slot = thread_slot();
  return slot < kThreadReaders ? &thread_readers_[slot] : nullptr;
}

void SqliteStore::begin_read_batch() {
  std::unique_ptr<Connection>* slot = own_reader_slot();
  if (slot == nullptr) {
    return;
  }
  if (!*slot) {
    auto opened = connect(true);
    if (!opened) {
      return;  // the batch's reads try again, and report what fails
    }
    *slot = std::move(*opened);
  }
  (*slot)->in_batch = true;
}

void SqliteStore::end_read_batch() {
  std::unique_ptr<Connection>* slot = own_reader_slot();
  if (slot == nullptr || !*slot) {
    return;
  }
  if ((*slot)->in_snapshot) {
    leave_snapshot(**slot);
  }
  (*slot)->in_batch = false;
}

// Keeps the batch's read transaction, or begins one (its snapshot is taken by the next
// statement) when there is none or the writer has committed since it began.
Status SqliteStore::enter_snapshot(Connection& c) {
  const std::uint64_t commits = commits_.load(std::memory_order_acquire);
  if (c.in_snapshot) {
    if (c.snapshot_commits == commits) {
      return {};
    }
    leave_snapshot(c);
  }
  TENANTD_TRY(begin_read(c));
  c.in_snapshot = true;
  c.snapshot_commits = commits;
  return {};
}

void SqliteStore::leave_snapshot(Connection& c) {
  c.in_snapshot = false;
  static_cast<void>(end_read(c));  // the batch's reads are answered; the transaction ends anyway
}

SqliteStore::Lease SqliteStore::writer() {
  return Lease(std::unique_lock(writer_mutex_), writer_.get());
}

void SqliteStore::give_back(std::unique_ptr<Connection> connection) {
  std::lock_guard lock(pool_mutex_);
  idle_readers_.push_back(std::move(connection));
}

std::int64_t SqliteStore::now_seconds() const {
  return epoch_seconds(clock_.now());
}

// Whether the file already has this version's schema for this environment's tables. Migrating
// writes the header page (user_version) and so costs a WAL sync; a file that is current needs no
// write at all, which keeps a Lambda cold start read-only.
bool SqliteStore::schema_current(Connection& connection) const {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(connection.db, "PRAGMA user_version", -1, &raw, nullptr) != SQLITE_OK) {
    return false;
  }
  const bool version_current =
      sqlite3_step(raw) == SQLITE_ROW && sqlite3_column_int(raw, 0) == kSchemaVersion;
  sqlite3_finalize(raw);
  if (!version_current || sqlite3_prepare_v2(connection.db,
                                             "SELECT 1 FROM sqlite_master WHERE type = 'table' "
                                             "AND name = ?1",
                                             -1, &raw, nullptr) != SQLITE_OK) {
    return false;
  }
  bool all_present = true;
  for (const Table table : kAllTables) {
    const std::string name = table_name(table, environment_);
    sqlite3_bind_text(raw, 1, name.data(), static_cast<int>(name.size()), SQLITE_TRANSIENT);
    all_present = all_present && sqlite3_step(raw) == SQLITE_ROW;
    sqlite3_reset(raw);
  }
  sqlite3_finalize(raw);
  return all_present;
}

Status SqliteStore::migrate() {
  Lease lease = writer();
  if (schema_current(*lease)) {
    return {};
  }
  std::string sql = "BEGIN IMMEDIATE;";
  for (std::size_t t = 0; t < table_names_.size(); ++t) {
    const std::string& name = table_names_[t];
    const std::string bare = table_name(kAllTables[t], environment_);
    sql += "CREATE TABLE IF NOT EXISTS " + name + " (" + column_list(true) +
           ", PRIMARY KEY (pk, sk)) WITHOUT ROWID;";
    for (int i = 1; i <= kIndexCount; ++i) {
      const std::string n = std::to_string(i);
      sql += "CREATE INDEX IF NOT EXISTS " + quote_identifier(bare + "-gsi" + n) + " ON " + name +
             " (gsi" + n + "pk, gsi" + n + "sk, pk, sk) WHERE gsi" + n + "pk IS NOT NULL;";
    }
    sql += "CREATE INDEX IF NOT EXISTS " + quote_identifier(bare + "-ttl") + " ON " + name +
           " (ttl) WHERE ttl IS NOT NULL;";
  }
  sql += "PRAGMA user_version=" + std::to_string(kSchemaVersion) + ";COMMIT;";
  if (lease->exec(sql.c_str()) != SQLITE_OK) {
    Error error = sqlite_error(lease->db, "migrate");
    lease->exec("ROLLBACK;");
    return error;
  }
  return {};
}

Status SqliteStore::ping() {
  TENANTD_TRY_ASSIGN(auto lease, reader());
  Connection& c = *lease;
  auto stmt = c.statement(c.ping, [] { return std::string("SELECT 1"); });
  if (!stmt) {
    return std::move(stmt).error();
  }
  Use use(*stmt);
  if (sqlite3_step(*use) != SQLITE_ROW) {
    return sqlite_error(c.db, "ping");
  }
  return {};
}

Result<std::optional<Item>> SqliteStore::get(Table table, const Key& key) {
  TENANTD_TRY_ASSIGN(auto lease, reader());
  return get_on(*lease, table, key);
}

Result<std::vector<std::optional<Item>>> SqliteStore::get_many(Table table,
                                                               const std::vector<Key>& keys) {
  if (keys.size() > kMaxWriteOps) {
    return Error::make(ErrorCode::InternalError, "sqlite: more than 100 keys in one get_many");
  }
  TENANTD_TRY_ASSIGN(auto lease, reader());
  Connection& c = *lease;
  // One read transaction: one snapshot and one WAL read lock for all the keys (a read batch's,
  // when there is one).
  const bool own_transaction = !c.in_snapshot;
  if (own_transaction) {
    TENANTD_TRY(begin_read(c));
  }
  std::vector<std::optional<Item>> items;
  items.reserve(keys.size());
  std::optional<Error> failed;
  for (const Key& key : keys) {
    auto item = get_on(c, table, key);
    if (!item) {
      failed = item.error();
      break;
    }
    items.push_back(std::move(*item));
  }
  if (own_transaction) {
    if (Status ended = end_read(c); !ended && !failed) {
      failed = ended.error();
    }
  }
  if (failed) {
    return std::move(*failed);
  }
  return items;
}

Result<std::optional<Item>> SqliteStore::get_on(Connection& c, Table table, const Key& key) {
  const std::string& name = table_names_[table_slot(table)];
  auto stmt = c.statement(c.tables[table_slot(table)].get, [&name] {
    return std::string("SELECT ") + kColumns + " FROM " + name +
           " WHERE pk = ?1 AND sk = ?2 AND (ttl IS NULL OR ttl > ?3)";
  });
  if (!stmt) {
    return std::move(stmt).error();
  }
  Use use(*stmt);
  bind_text(*use, 1, key.pk);
  bind_text(*use, 2, key.sk);
  sqlite3_bind_int64(*use, 3, now_seconds());
  const int rc = sqlite3_step(*use);
  if (rc == SQLITE_ROW) {
    return std::optional<Item>(read_item(*use));
  }
  if (rc == SQLITE_DONE) {
    return std::optional<Item>();
  }
  return sqlite_error(c.db, "get");
}

Result<std::vector<Item>> SqliteStore::query(const Query& query) {
  if (query.index < 0 || query.index > kIndexCount) {
    return Error::make(ErrorCode::InternalError, "sqlite: no index " + std::to_string(query.index));
  }
  std::vector<Item> items;
  if (query.limit <= 0) {
    return items;
  }
  TENANTD_TRY_ASSIGN(auto lease, reader());
  Connection& c = *lease;
  const QueryPlan plan = plan_bounds(query);
  Statement& slot = c.tables[table_slot(query.table)].queries[plan.shape.slot()];
  auto stmt = c.statement(
      slot, [&] { return query_sql(table_names_[table_slot(query.table)], plan.shape); });
  if (!stmt) {
    return std::move(stmt).error();
  }
  Use use(*stmt);
  bind_query(*use, query, plan, now_seconds());
  items.reserve(static_cast<std::size_t>(std::min(query.limit, 100)));
  int rc = SQLITE_OK;
  while ((rc = sqlite3_step(*use)) == SQLITE_ROW) {
    items.push_back(read_item(*use, &query));
  }
  if (rc != SQLITE_DONE) {
    return sqlite_error(c.db, "query");
  }
  return items;
}

Result<std::string> SqliteStore::query_plan(const Query& query) {
  if (query.index < 0 || query.index > kIndexCount) {
    return Error::make(ErrorCode::InternalError, "sqlite: no index " + std::to_string(query.index));
  }
  TENANTD_TRY_ASSIGN(auto lease, reader());
  Connection& c = *lease;
  const QueryPlan plan = plan_bounds(query);
  const std::string sql =
      "EXPLAIN QUERY PLAN " + query_sql(table_names_[table_slot(query.table)], plan.shape);
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(c.db, sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) {
    return sqlite_error(c.db, "explain");
  }
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt(raw, sqlite3_finalize);
  bind_query(raw, query, plan, now_seconds());
  std::string out;
  int rc = SQLITE_OK;
  while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {
    out += column_text(raw, 3);
    out += '\n';
  }
  if (rc != SQLITE_DONE) {
    return sqlite_error(c.db, "explain");
  }
  return out;
}

namespace {

// BEGIN IMMEDIATE; another process may hold the write lock past the busy timeout, so it gets a
// few more goes.
bool begin_immediate(sqlite3_stmt* begin) {
  Use use(begin);
  int rc = sqlite3_step(*use);
  for (int attempt = 0; (rc & 0xFF) == SQLITE_BUSY && attempt < 3; ++attempt) {
    sqlite3_reset(*use);
    rc = sqlite3_step(*use);
  }
  return rc == SQLITE_DONE;
}

WriteResult write_failed(std::string message) {
  WriteResult result;
  result.status = WriteResult::Status::Failed;
  result.message = std::move(message);
  return result;
}

bool step_done(sqlite3_stmt* stmt) {
  Use use(stmt);
  return sqlite3_step(*use) == SQLITE_DONE;
}

void roll_back(sqlite3_stmt* rollback) {
  Use use(rollback);
  sqlite3_step(*use);
}

}  // namespace

std::optional<std::string_view> SqliteStore::check_condition(Connection& c, const WriteOp& op,
                                                             std::int64_t now, bool& holds) {
  const Condition& condition = op_condition(op);
  holds = true;
  if (condition.kind == Condition::Kind::None) {
    return std::nullopt;
  }
  const Table table = op_table(op);
  const KeyView key = op_key(op);
  auto stmt = c.statement(c.tables[table_slot(table)].current, [&] {
    return "SELECT ttl, json_extract(data, '$.version') FROM " + table_names_[table_slot(table)] +
           " WHERE pk = ?1 AND sk = ?2";
  });
  if (!stmt) {
    return "prepare";
  }
  bool exists = false;
  bool version_matches = false;
  Use use(*stmt);
  bind_text(*use, 1, key.pk);
  bind_text(*use, 2, key.sk);
  const int rc = sqlite3_step(*use);
  if (rc == SQLITE_ROW) {
    exists = sqlite3_column_type(*use, 0) == SQLITE_NULL || sqlite3_column_int64(*use, 0) > now;
    version_matches = exists && sqlite3_column_type(*use, 1) == SQLITE_INTEGER &&
                      sqlite3_column_int64(*use, 1) == condition.version;
  } else if (rc != SQLITE_DONE) {
    return "condition";
  }
  holds = condition.holds(exists, version_matches);
  return std::nullopt;
}

std::optional<std::string_view> SqliteStore::apply_put(Connection& c, Table table,
                                                       const Item& item) {
  const std::string& name = table_names_[table_slot(table)];
  auto stmt = c.statement(c.tables[table_slot(table)].put, [&name] {
    std::string sql = "INSERT OR REPLACE INTO " + name + " (" + kColumns + ") VALUES (?1";
    for (int i = 2; i <= kDataColumn + 1; ++i) {
      sql += ", ?" + std::to_string(i);
    }
    return sql + ")";
  });
  if (!stmt) {
    return "prepare";
  }
  Use use(*stmt);
  bind_text(*use, 1, item.pk);
  bind_text(*use, 2, item.sk);
  for (int i = 0; i < kIndexCount; ++i) {
    const auto& index_key = item.indexes[static_cast<std::size_t>(i)];
    if (index_key) {
      bind_text(*use, 3 + 2 * i, index_key->pk);
      bind_text(*use, 4 + 2 * i, index_key->sk);
    }
  }
  if (item.ttl) {
    sqlite3_bind_int64(*use, kTtlColumn + 1, *item.ttl);
  }
  bind_text(*use, kDataColumn + 1, item.data);
  if (sqlite3_step(*use) != SQLITE_DONE) {
    return "put";
  }
  return std::nullopt;
}

std::optional<std::string_view> SqliteStore::apply_delete(Connection& c, Table table,
                                                          const Key& key) {
  const std::string& name = table_names_[table_slot(table)];
  auto stmt = c.statement(c.tables[table_slot(table)].remove,
                          [&name] { return "DELETE FROM " + name + " WHERE pk = ?1 AND sk = ?2"; });
  if (!stmt) {
    return "prepare";
  }
  Use use(*stmt);
  bind_text(*use, 1, key.pk);
  bind_text(*use, 2, key.sk);
  if (sqlite3_step(*use) != SQLITE_DONE) {
    return "delete";
  }
  return std::nullopt;
}

WriteResult SqliteStore::write(std::vector<WriteOp> ops) {
  if (ops.empty()) {
    return {};
  }
  if (auto invalid = validate(ops)) {
    return write_failed("sqlite: " + *invalid);
  }
  return groups_.submit(ops,
                        [this](const std::vector<QueuedWrite*>& group) { commit_group(group); });
}

// One caller's ops inside the group's transaction: its conditions against the state before its
// own ops (after the ops of the callers committed before it in the group, as if one after
// another), then its puts and deletes. On anything but Ok the caller's savepoint is rolled back.
WriteResult SqliteStore::apply_ops(Connection& c, const std::vector<WriteOp>& ops,
                                   std::int64_t now) {
  WriteResult result;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    bool holds = true;
    if (auto failed = check_condition(c, ops[i], now, holds)) {
      return write_failed(sqlite_error(c.db, *failed).message);
    }
    if (!holds) {
      result.status = WriteResult::Status::ConditionFailed;
      result.failed_op = i;
      return result;
    }
  }
  for (const WriteOp& op : ops) {
    const Table table = op_table(op);
    std::optional<std::string_view> failed;
    if (const auto* put = std::get_if<Put>(&op)) {
      failed = apply_put(c, table, put->item);
    } else if (const auto* del = std::get_if<Delete>(&op)) {
      failed = apply_delete(c, table, del->key);
    }
    if (failed) {
      return write_failed(sqlite_error(c.db, *failed).message);
    }
  }
  return result;
}

void SqliteStore::commit_group(const std::vector<QueuedWrite*>& group) {
  auto fail_all = [&](const std::string& message) {
    for (QueuedWrite* write : group) {
      write->result = write_failed(message);
    }
  };
  Lease lease = writer();
  Connection& c = *lease;
  auto begin = c.statement(c.begin, [] { return std::string("BEGIN IMMEDIATE"); });
  auto commit = c.statement(c.commit, [] { return std::string("COMMIT"); });
  auto rollback = c.statement(c.rollback, [] { return std::string("ROLLBACK"); });
  auto savepoint = c.statement(c.savepoint, [] { return std::string("SAVEPOINT caller"); });
  auto release = c.statement(c.release, [] { return std::string("RELEASE caller"); });
  auto rollback_to = c.statement(c.rollback_to, [] { return std::string("ROLLBACK TO caller"); });
  if (!begin || !commit || !rollback || !savepoint || !release || !rollback_to) {
    fail_all(sqlite_error(c.db, "prepare").message);
    return;
  }
  if (sqlite3_get_autocommit(c.db) == 0) {
    roll_back(*rollback);  // left open by a group that was interrupted (out of memory)
  }
  if (!begin_immediate(*begin)) {
    fail_all(sqlite_error(c.db, "begin").message);
    return;
  }
  const std::int64_t now = now_seconds();
  for (std::size_t w = 0; w < group.size(); ++w) {
    QueuedWrite& write = *group[w];
    if (!step_done(*savepoint)) {
      write.result = write_failed(sqlite_error(c.db, "savepoint").message);
      continue;
    }
    write.result = apply_ops(c, *write.ops, now);
    if (sqlite3_get_autocommit(c.db) != 0) {
      // Some errors (disk full, I/O) make SQLite roll back the whole transaction: the callers
      // before this one lost their ops too, and the rest never ran.
      const std::string message =
          write.result.ok() ? sqlite_error(c.db, "transaction").message : write.result.message;
      for (std::size_t other = 0; other < group.size(); ++other) {
        if (other != w && (other > w || group[other]->result.ok())) {
          group[other]->result = write_failed("sqlite: rolled back with its group: " + message);
        }
      }
      if (write.result.ok()) {
        write.result = write_failed(message);
      }
      return;
    }
    if (!write.result.ok() && !step_done(*rollback_to)) {
      const std::string message = sqlite_error(c.db, "rollback to savepoint").message;
      roll_back(*rollback);
      fail_all(message);
      return;
    }
    if (!step_done(*release)) {
      const std::string message = sqlite_error(c.db, "release savepoint").message;
      roll_back(*rollback);
      fail_all(message);
      return;
    }
  }
  if (!step_done(*commit)) {
    const std::string message = sqlite_error(c.db, "commit").message;
    roll_back(*rollback);
    for (QueuedWrite* write : group) {
      if (write->result.ok()) {
        write->result = write_failed(message);
      }
    }
  }
}

Result<std::size_t> SqliteStore::purge_expired(Table table, std::size_t max_items) {
  if (max_items == 0) {
    return std::size_t{0};
  }
  Lease lease = writer();
  Connection& c = *lease;
  const std::string& name = table_names_[table_slot(table)];
  auto stmt = c.statement(c.tables[table_slot(table)].purge, [&name] {
    return "DELETE FROM " + name + " WHERE (pk, sk) IN (SELECT pk, sk FROM " + name +
           " WHERE ttl <= ?1 LIMIT ?2)";
  });
  if (!stmt) {
    return std::move(stmt).error();
  }
  Use use(*stmt);
  sqlite3_bind_int64(*use, 1, now_seconds());
  sqlite3_bind_int64(*use, 2, static_cast<std::int64_t>(max_items));
  if (sqlite3_step(*use) != SQLITE_DONE) {
    return sqlite_error(c.db, "purge");
  }
  return static_cast<std::size_t>(sqlite3_changes(c.db));
}

}  // namespace tenantd::store::sqlite
