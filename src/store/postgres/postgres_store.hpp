#pragma once
// The PostgreSQL adapter of the item store port (docs/storage.md, docs/decisions/0023-*.md).
// Several `serve` replicas share one database: every guarantee of the port comes from the
// database (row locks, unique keys, statement snapshots), none from the process.
// A small pool of libpq connections serves the server threads; statements are prepared once
// per connection. A connection that lost its server is dropped and replaced on next use; reads
// and a transaction whose BEGIN failed run once more on a new connection, nothing else is
// retried (a COMMIT without an answer may have applied).
#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "store/item_store.hpp"

namespace tenantd::store::postgres {

class PgConnection;

inline constexpr std::size_t kMaxWriteOps = 100;  // DynamoDB's TransactWriteItems limit

struct PostgresOptions {
  std::size_t max_connections = 8;
  Millis acquire_timeout{10000};  // waiting for a free connection; then 503
};

class PostgresStore final : public ItemStore {
 public:
  // Connects to `url` (a libpq connection string or URI) and keeps the connection for the pool.
  // Does not touch the schema: see migrate() and check_schema().
  static Result<std::unique_ptr<PostgresStore>> open(const std::string& url,
                                                     std::string environment, const Clock& clock,
                                                     PostgresOptions options = {});
  ~PostgresStore() override;
  PostgresStore(const PostgresStore&) = delete;
  PostgresStore& operator=(const PostgresStore&) = delete;

  Result<std::optional<Item>> get(Table table, const Key& key) override;
  Result<std::vector<std::optional<Item>>> get_many(Table table,
                                                    const std::vector<Key>& keys) override;
  Result<std::vector<Item>> query(const Query& query) override;
  WriteResult write(std::vector<WriteOp> ops) override;
  Result<std::size_t> purge_expired(Table table, std::size_t max_items) override;
  // Applies the numbered migrations the database lacks (`tenantd migrate`).
  Status migrate() override;
  Status ping() override;

  // OK when the database's schema is the one this build knows; `serve` refuses to start
  // otherwise, with a message that says whether to migrate or to upgrade.
  Status check_schema();

 private:
  class Lease;

  PostgresStore(std::string url, std::string environment, const Clock& clock,
                PostgresOptions options);
  Result<Lease> acquire();
  void release(std::unique_ptr<PgConnection> connection);
  // Runs `read` on a pooled connection, once more on a fresh one if the pooled one had lost its
  // server (reads are safe to repeat).
  template <class T, class F>
  Result<T> with_reader(F&& read);
  WriteResult write_once(PgConnection& c, const std::vector<WriteOp>& ops, bool& began);
  std::int64_t now_seconds() const;

  std::string url_;
  std::string environment_;
  const Clock& clock_;
  PostgresOptions options_;
  std::vector<std::string> tables_;  // quoted, indexed by Table

  std::mutex pool_mutex_;
  std::condition_variable pool_freed_;
  std::vector<std::unique_ptr<PgConnection>> idle_;
  std::size_t open_connections_ = 0;  // idle + leased
};

}  // namespace tenantd::store::postgres
