#include "store/postgres/pg_connection.hpp"

#include <libpq-fe.h>

#include <charconv>
#include <utility>

#include "store/postgres/libpq_on_demand.hpp"

namespace tenantd::store::postgres {

void Params::text(std::string_view value) {
  // libpq never reads a binary parameter's bytes beyond its length; an empty value still needs
  // a non-null pointer (null means SQL NULL).
  values_.push_back(value.empty() ? "" : value.data());
  lengths_.push_back(static_cast<int>(value.size()));
  formats_.push_back(1);
}

void Params::integer(std::int64_t value) {
  literal(std::to_string(value));
}

void Params::literal(std::string value) {
  owned_.push_back(std::move(value));
  values_.push_back(owned_.back().c_str());
  lengths_.push_back(0);
  formats_.push_back(0);
}

void Params::null() {
  values_.push_back(nullptr);
  lengths_.push_back(0);
  formats_.push_back(0);
}

PgResult& PgResult::operator=(PgResult&& other) noexcept {
  if (this != &other) {
    PQclear(result_);
    result_ = other.result_;
    other.result_ = nullptr;
  }
  return *this;
}

PgResult::~PgResult() {
  PQclear(result_);
}

bool PgResult::ok() const {
  if (result_ == nullptr) {
    return false;
  }
  const ExecStatusType status = PQresultStatus(result_);
  return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
}

std::string PgResult::sqlstate() const {
  const char* state = result_ != nullptr ? PQresultErrorField(result_, PG_DIAG_SQLSTATE) : nullptr;
  return state != nullptr ? state : "";
}

std::string PgResult::message() const {
  if (result_ == nullptr) {
    return "no result";
  }
  std::string text = PQresultErrorMessage(result_);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
    text.pop_back();
  }
  return text;
}

int PgResult::rows() const {
  return result_ != nullptr ? PQntuples(result_) : 0;
}

std::int64_t PgResult::affected() const {
  if (result_ == nullptr) {
    return 0;
  }
  const std::string_view tuples = PQcmdTuples(result_);
  std::int64_t n = 0;
  std::from_chars(tuples.data(), tuples.data() + tuples.size(), n);
  return n;
}

bool PgResult::is_null(int row, int column) const {
  return PQgetisnull(result_, row, column) != 0;
}

std::string_view PgResult::text(int row, int column) const {
  return {PQgetvalue(result_, row, column),
          static_cast<std::size_t>(PQgetlength(result_, row, column))};
}

std::int64_t PgResult::integer(int row, int column) const {
  const std::string_view t = text(row, column);
  std::int64_t n = 0;
  std::from_chars(t.data(), t.data() + t.size(), n);
  return n;
}

Result<std::unique_ptr<PgConnection>> PgConnection::connect(const std::string& url) {
  TENANTD_TRY(libpq().load());
  // Later keywords override earlier ones, so the URL's own settings win over these defaults.
  // GSSAPI encryption is off unless the URL asks for it: libpq would otherwise probe Kerberos on
  // every connect, which costs a round trip and initialises a library most setups do not use.
  const char* const keywords[] = {"connect_timeout", "fallback_application_name", "gssencmode",
                                  "dbname", nullptr};
  const char* const values[] = {"5", "tenantd", "disable", url.c_str(), nullptr};
  pg_conn* conn = PQconnectdbParams(keywords, values, 1);
  if (conn == nullptr) {
    return Error::make(ErrorCode::ServiceUnavailable, "postgres: out of memory");
  }
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = "postgres: cannot connect: ";
    message += PQerrorMessage(conn);
    while (!message.empty() && message.back() == '\n') {
      message.pop_back();
    }
    PQfinish(conn);
    return Error::make(ErrorCode::ServiceUnavailable, std::move(message));
  }
  return std::unique_ptr<PgConnection>(new PgConnection(conn));
}

PgConnection::~PgConnection() {
  PQfinish(conn_);
}

bool PgConnection::broken() const {
  return PQstatus(conn_) != CONNECTION_OK;
}

std::string PgConnection::error_message() const {
  std::string text = PQerrorMessage(conn_);
  while (!text.empty() && text.back() == '\n') {
    text.pop_back();
  }
  return text;
}

PgResult PgConnection::exec(const std::string& sql) {
  return PgResult(PQexec(conn_, sql.c_str()));
}

PgResult PgConnection::run(const std::string& name, const std::function<std::string()>& sql,
                           const Params& params) {
  if (prepared_.count(name) == 0) {
    PgResult prepared(PQprepare(conn_, name.c_str(), sql().c_str(), 0, nullptr));
    if (!prepared.ok()) {
      return prepared;
    }
    prepared_.insert(name);
  }
  return PgResult(PQexecPrepared(conn_, name.c_str(), params.size(), params.values(),
                                 params.lengths(), params.formats(), 0));
}

bool is_unavailable(const std::string& sqlstate) {
  // Class 08: connection exceptions; 57P01..57P03: admin shutdown, crash shutdown, cannot
  // connect now (starting up or in recovery); 53300: too many connections; "" : no answer.
  return sqlstate.empty() || sqlstate.rfind("08", 0) == 0 || sqlstate == "57P01" ||
         sqlstate == "57P02" || sqlstate == "57P03" || sqlstate == "53300" ||
         sqlstate == "25006";  // read-only transaction: a standby after failover
}

bool is_retryable(const std::string& sqlstate) {
  return sqlstate == "40001" || sqlstate == "40P01";
}

}  // namespace tenantd::store::postgres
