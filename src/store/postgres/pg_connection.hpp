#pragma once
// A libpq connection with the statements it has prepared, and a result that frees itself.
// Only the PostgreSQL store uses these (see docs/decisions/0023-postgresql-store.md).
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/result.hpp"

struct pg_conn;
struct pg_result;

namespace tenantd::store::postgres {

// Parameters of one statement. Strings go in binary format (their raw bytes: no copy, no
// terminator needed); integers and array literals go as text.
class Params {
 public:
  void text(std::string_view value);  // a view: the bytes must outlive the statement
  void integer(std::int64_t value);
  void literal(std::string value);  // text format, e.g. an array literal '{"a","b"}'
  void null();

  int size() const { return static_cast<int>(values_.size()); }
  const char* const* values() const { return values_.data(); }
  const int* lengths() const { return lengths_.data(); }
  const int* formats() const { return formats_.data(); }

 private:
  std::deque<std::string> owned_;  // deque: pointers stay valid as it grows
  std::vector<const char*> values_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
};

class PgResult {
 public:
  PgResult() = default;
  explicit PgResult(pg_result* result) : result_(result) {}
  PgResult(PgResult&& other) noexcept : result_(other.result_) { other.result_ = nullptr; }
  PgResult& operator=(PgResult&& other) noexcept;
  PgResult(const PgResult&) = delete;
  PgResult& operator=(const PgResult&) = delete;
  ~PgResult();

  bool ok() const;  // a command or a query that completed
  std::string sqlstate() const;
  std::string message() const;
  int rows() const;
  std::int64_t affected() const;  // rows a DELETE / INSERT / UPDATE touched
  bool is_null(int row, int column) const;
  std::string_view text(int row, int column) const;
  std::int64_t integer(int row, int column) const;

 private:
  pg_result* result_ = nullptr;
};

class PgConnection {
 public:
  // `url`: a libpq connection string or URI (TLS settings such as sslmode pass through).
  static Result<std::unique_ptr<PgConnection>> connect(const std::string& url);
  ~PgConnection();
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  // True once the server went away (restart, network): the connection must be dropped.
  bool broken() const;
  std::string error_message() const;

  // A parameterless command, e.g. "BEGIN".
  PgResult exec(const std::string& sql);
  // The statement `name`, prepared from `sql()` on first use on this connection.
  PgResult run(const std::string& name, const std::function<std::string()>& sql,
               const Params& params);

 private:
  explicit PgConnection(pg_conn* conn) : conn_(conn) {}
  pg_conn* conn_;
  std::unordered_set<std::string> prepared_;
};

// The SQLSTATEs that mean "the server or the link is gone / not accepting work now": the
// request is answered 503 and the connection replaced.
bool is_unavailable(const std::string& sqlstate);
// Deadlock or serialization failure: the transaction was rolled back and may run again.
bool is_retryable(const std::string& sqlstate);

}  // namespace tenantd::store::postgres
