#pragma once
// The SQLite adapter of the item store port (see docs/storage.md for the layout and why).
// One file in WAL mode: reads run in parallel on read-only connections (one kept for each reading
// thread, without a lock, and a pool for the rest), writes are
// serialised on one writer connection, the writes queued at once committed together in one
// BEGIN IMMEDIATE transaction (group_commit.hpp); a background thread checkpoints the WAL so that
// its fsyncs seldom stall a write, and restarts it when it grows long. Each commit's WAL frames go
// to the file in one batch (wal_write_buffer.hpp).
#include <array>
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "store/item_store.hpp"
#include "store/sqlite/group_commit.hpp"

struct sqlite3;

namespace tenantd::store::sqlite {

// Threads that may keep a read connection of their own per store (see thread_slot() in the .cpp);
// readers beyond them share the pool.
inline constexpr std::size_t kThreadReaders = 64;

// DynamoDB's TransactWriteItems limit; enforced here too so that code which passes on SQLite
// also runs on DynamoDB.
inline constexpr std::size_t kMaxWriteOps = 100;

// The ops one group commit may carry: bounds how long a COMMIT keeps the group's callers waiting.
inline constexpr std::size_t kMaxGroupOps = 1000;

class SqliteStore final : public ItemStore {
 public:
  // Who serves reads: read-only connections beside the writer (threads read while a write
  // commits), or the writer's own connection. The latter suits a process that serves one request
  // at a time, such as a Lambda: it never reads beside a write, and opening a second connection
  // (and parsing the schema again) would only lengthen its cold start.
  enum class Readers { Own, Writer };

  // Opens (creating when missing) the database at `path` and migrates it. ":memory:" gives a
  // private in-memory database served by a single connection. `clock` must outlive the store;
  // it decides when ttl has passed.
  static Result<std::unique_ptr<SqliteStore>> open(const std::string& path, std::string environment,
                                                   const Clock& clock,
                                                   Readers readers = Readers::Own);

  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  Result<std::optional<Item>> get(Table table, const Key& key) override;
  Result<std::vector<std::optional<Item>>> get_many(Table table,
                                                    const std::vector<Key>& keys) override;
  Result<std::vector<Item>> query(const Query& query) override;
  WriteResult write(std::vector<WriteOp> ops) override;
  Result<std::size_t> purge_expired(Table table, std::size_t max_items) override;
  Status migrate() override;
  Status ping() override;
  // A thread with a read connection of its own keeps one read transaction open for the batch's
  // reads: WAL mode takes and drops a file lock (two fcntl calls) per read transaction.
  void begin_read_batch() override;
  void end_read_batch() override;

  // SQLite's EXPLAIN QUERY PLAN of the statement `query` would run, one line per step;
  // lets tests prove that no query scans a table.
  Result<std::string> query_plan(const Query& query);
  // Writes waiting for the group being committed to finish, and whether one is (for tests).
  std::size_t queued_writes() { return groups_.waiting(); }
  bool committing_group() { return groups_.leading(); }

  struct Connection;  // a sqlite3 handle with its prepared statements

 private:
  class Lease;  // exclusive use of a connection for one call

  SqliteStore(std::string path, std::string environment, const Clock& clock, bool in_memory,
              Readers readers);

  Result<Lease> reader();
  std::unique_ptr<Connection>* own_reader_slot();  // the calling thread's, if it may have one
  Status enter_snapshot(Connection& c);
  static void leave_snapshot(Connection& c);
  Lease writer();
  Result<std::optional<Item>> get_on(Connection& c, Table table, const Key& key);
  Result<std::unique_ptr<Connection>> connect(bool read_only) const;
  bool schema_current(Connection& connection) const;
  void give_back(std::unique_ptr<Connection> connection);
  std::int64_t now_seconds() const;
  // The steps of write(): each names the stage that failed ("prepare", "put", ...), if any.
  std::optional<std::string_view> check_condition(Connection& c, const WriteOp& op,
                                                  std::int64_t now, bool& holds);
  std::optional<std::string_view> apply_put(Connection& c, Table table, const Item& item);
  std::optional<std::string_view> apply_delete(Connection& c, Table table, const Key& key);
  WriteResult apply_ops(Connection& c, const std::vector<WriteOp>& ops, std::int64_t now);
  // One transaction for the group's writes, each caller's ops in a savepoint of their own.
  void commit_group(const std::vector<QueuedWrite*>& group);
  void start_checkpointer();
  void stop_checkpointer();
  static int on_wal_commit(void* self, sqlite3* db, const char* schema, int pages);

  std::string path_;
  std::string environment_;
  const Clock& clock_;
  bool in_memory_;
  bool reads_on_writer_;                  // ":memory:" or Readers::Writer
  std::vector<std::string> table_names_;  // quoted, indexed by Table
  // Commits of the writer connection so far: a read batch's snapshot older than the last one is
  // renewed, so that a read sees every write this store acknowledged before it.
  std::atomic<std::uint64_t> commits_{0};

  // Writes wait here to be committed in groups, on the writer connection below.
  GroupCommitQueue groups_{kMaxGroupOps};
  // Writes (and, with reads_on_writer_, everything) go through this one connection.
  std::mutex writer_mutex_;
  std::unique_ptr<Connection> writer_;
  // A read-only connection per reading thread, indexed by the thread's slot and created on its
  // first read: only that thread touches its entry, so the hot path takes no lock. Closed with
  // the store (a thread's slot, and with it the connection, passes to a later thread when the
  // thread ends).
  std::array<std::unique_ptr<Connection>, kThreadReaders> thread_readers_;
  // Idle read-only connections for the rest (pooled threads, see core/thread_kind.hpp; threads
  // without a slot; a nested read); a reading thread borrows one and returns it.
  std::mutex pool_mutex_;
  std::vector<std::unique_ptr<Connection>> idle_readers_;
  // Checkpoints the WAL into the database file when a commit leaves it long enough.
  std::mutex checkpoint_mutex_;
  std::condition_variable checkpoint_wanted_;
  bool checkpoint_due_ = false;
  bool restart_due_ = false;  // the WAL is long enough to be restarted (see the .cpp)
  bool stopping_ = false;
  std::thread checkpointer_;
};

}  // namespace tenantd::store::sqlite
