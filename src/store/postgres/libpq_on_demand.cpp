#include "store/postgres/libpq_on_demand.hpp"

#include <libpq-fe.h>

namespace tenantd::store::postgres {

OnDemandLibrary& libpq() {
  static OnDemandLibrary library("libpq.so.5", "STORE=postgres");
  return library;
}

}  // namespace tenantd::store::postgres

// The libpq functions tenantd calls, with libpq's own names and signatures (libpq-fe.h): the
// linker resolves tenantd's calls here, and each forwards to the function in the loaded library.
using tenantd::store::postgres::libpq;

// NOLINTBEGIN(readability-identifier-naming): the names are libpq's.
extern "C" {

PGconn* PQconnectdbParams(const char* const* keywords, const char* const* values,
                          int expand_dbname) {
  static auto* const f = libpq().function<decltype(PQconnectdbParams)>("PQconnectdbParams");
  return f(keywords, values, expand_dbname);
}

void PQfinish(PGconn* conn) {
  static auto* const f = libpq().function<decltype(PQfinish)>("PQfinish");
  f(conn);
}

ConnStatusType PQstatus(const PGconn* conn) {
  static auto* const f = libpq().function<decltype(PQstatus)>("PQstatus");
  return f(conn);
}

char* PQerrorMessage(const PGconn* conn) {
  static auto* const f = libpq().function<decltype(PQerrorMessage)>("PQerrorMessage");
  return f(conn);
}

PGresult* PQexec(PGconn* conn, const char* query) {
  static auto* const f = libpq().function<decltype(PQexec)>("PQexec");
  return f(conn, query);
}

PGresult* PQprepare(PGconn* conn, const char* stmt_name, const char* query, int n_params,
                    const Oid* param_types) {
  static auto* const f = libpq().function<decltype(PQprepare)>("PQprepare");
  return f(conn, stmt_name, query, n_params, param_types);
}

PGresult* PQexecPrepared(PGconn* conn, const char* stmt_name, int n_params,
                         const char* const* param_values, const int* param_lengths,
                         const int* param_formats, int result_format) {
  static auto* const f = libpq().function<decltype(PQexecPrepared)>("PQexecPrepared");
  return f(conn, stmt_name, n_params, param_values, param_lengths, param_formats, result_format);
}

ExecStatusType PQresultStatus(const PGresult* res) {
  static auto* const f = libpq().function<decltype(PQresultStatus)>("PQresultStatus");
  return f(res);
}

char* PQresultErrorMessage(const PGresult* res) {
  static auto* const f = libpq().function<decltype(PQresultErrorMessage)>("PQresultErrorMessage");
  return f(res);
}

char* PQresultErrorField(const PGresult* res, int fieldcode) {
  static auto* const f = libpq().function<decltype(PQresultErrorField)>("PQresultErrorField");
  return f(res, fieldcode);
}

int PQntuples(const PGresult* res) {
  static auto* const f = libpq().function<decltype(PQntuples)>("PQntuples");
  return f(res);
}

char* PQcmdTuples(PGresult* res) {
  static auto* const f = libpq().function<decltype(PQcmdTuples)>("PQcmdTuples");
  return f(res);
}

char* PQgetvalue(const PGresult* res, int tup_num, int field_num) {
  static auto* const f = libpq().function<decltype(PQgetvalue)>("PQgetvalue");
  return f(res, tup_num, field_num);
}

int PQgetlength(const PGresult* res, int tup_num, int field_num) {
  static auto* const f = libpq().function<decltype(PQgetlength)>("PQgetlength");
  return f(res, tup_num, field_num);
}

int PQgetisnull(const PGresult* res, int tup_num, int field_num) {
  static auto* const f = libpq().function<decltype(PQgetisnull)>("PQgetisnull");
  return f(res, tup_num, field_num);
}

void PQclear(PGresult* res) {
  static auto* const f = libpq().function<decltype(PQclear)>("PQclear");
  f(res);
}

}  // extern "C"
// NOLINTEND(readability-identifier-naming)
