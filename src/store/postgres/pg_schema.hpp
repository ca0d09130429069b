#pragma once
// The PostgreSQL layout of the item store and its numbered migrations (docs/storage.md,
// docs/decisions/0024-postgresql-migrations-and-replicas.md).
//
// Each logical table is one PostgreSQL table "bbws-<name>-<env>" with columns pk, sk,
// gsi<n>pk, gsi<n>sk (n = 1..kIndexCount), ttl and data. Migration 1 creates the tables with
// their keys, ttl and data; migration 1 + n adds index n (its two columns and a partial btree
// index). The schema is therefore generic over the index definitions of the port: a new GSI in
// store/item_store.hpp becomes the next migration by itself. Applied migrations are rows of
// "bbws-migrations-<env>".
#include <string>
#include <vector>

#include "core/result.hpp"
#include "store/item_store.hpp"

namespace tenantd::store::postgres {

class PgConnection;

// The newest migration this build knows.
int known_schema_version();

struct Migration {
  int version;
  std::string description;
  std::string sql;  // one or more statements
};

// Every migration for `environment`, oldest first.
std::vector<Migration> migrations(const std::string& environment);

// The table of `table` in `environment`, quoted for SQL: "bbws-tenants-dev".
std::string quoted_table(Table table, const std::string& environment);
std::string quoted_identifier(const std::string& name);

// The newest migration recorded in the database (0 on an empty database).
Result<int> schema_version(PgConnection& connection, const std::string& environment);

// Applies the missing migrations, each in its own transaction and under an advisory lock, so
// that replicas running `tenantd migrate` at once apply each migration exactly once. Refuses a
// database whose schema is newer than this build.
Status apply_migrations(PgConnection& connection, const std::string& environment);

// OK when the database holds exactly the schema this build knows; otherwise a message that
// says what to do (run `tenantd migrate`, or upgrade tenantd).
Status check_schema(PgConnection& connection, const std::string& environment);

}  // namespace tenantd::store::postgres
